import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lo_run import lo  # noqa: E402,F401  (the LibreOffice driver fixture)
