"""kb — search engine for Thai security-policy documents (core package)."""

__version__ = "0.1.0"
