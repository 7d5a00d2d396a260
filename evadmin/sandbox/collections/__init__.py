"""The collections the sandbox serves by declaration (resources.py), one module per part of the API.

Each module lists its declarations in `DECLARATIONS`; `DECLARATIONS` here is all of them, in the
order urls.py routes them. The ticket and whole-driver collections add their modules here.
"""

from evadmin.sandbox.collections import charging, charging_actions, tariffs

DECLARATIONS = (*charging.DECLARATIONS, *charging_actions.DECLARATIONS, *tariffs.DECLARATIONS)
