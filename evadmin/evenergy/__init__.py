"""The one package that talks HTTP to the ev.energy v2 API.

Views, services and tasks call `evenergy_client()` and the typed models here; nothing else in
evadmin imports requests.
"""
