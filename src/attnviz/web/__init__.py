"""`attnviz serve`: a local web page and a JSON API over saved models (FastAPI on uvicorn).

Importing this package needs FastAPI; the rest of attnviz does not import it.
"""

from attnviz.web.app import create_app
from attnviz.web.service import ServerLimits

__all__ = ["ServerLimits", "create_app"]
