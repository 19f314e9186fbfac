"""allege: who claims what, according to whom, in news articles."""

from .analysis import analyze, analyze_documents
from .errors import AllegeError
from .model import Analysis, Claim, Document, Entity

__all__ = ["analyze", "analyze_documents", "Analysis", "Claim", "Document", "Entity", "AllegeError"]
__version__ = "0.1.0"
