"""Parley: real-time buyer-seller messaging for Django marketplaces."""
