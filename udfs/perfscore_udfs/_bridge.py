"""The pure argument mapping lives in the core (perfscore.excel_functions); re-exported for the UDF module."""

from perfscore.excel_functions import *  # noqa: F401,F403
from perfscore.excel_functions import __all__  # noqa: F401
