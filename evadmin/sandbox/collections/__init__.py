"""The collections the sandbox serves by declaration (resources.py), one module per part of the API.

Each module lists its declarations in `DECLARATIONS`; `DECLARATIONS` here is all of them, in the
order urls.py routes them. The whole-driver collections add their modules here.
"""

from evadmin.sandbox.collections import (
    account,
    carbon,
    catalogue,
    charging,
    charging_actions,
    device_actions,
    devices,
    energy,
    logs,
    notifications,
    programs,
    rebates,
    tariffs,
    tickets,
)

DECLARATIONS = (
    *charging.DECLARATIONS, *charging_actions.DECLARATIONS, *tariffs.DECLARATIONS, *devices.DECLARATIONS,
    *logs.DECLARATIONS, *device_actions.DECLARATIONS, *catalogue.DECLARATIONS, *account.DECLARATIONS,
    *tickets.DECLARATIONS,
    *rebates.DECLARATIONS, *programs.DECLARATIONS, *energy.DECLARATIONS, *notifications.DECLARATIONS,  # issue 17
    *carbon.DECLARATIONS,
)
