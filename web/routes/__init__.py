"""The JSON API, one router per resource, in the order the app includes them."""

from __future__ import annotations

from web.routes import documents, handoffs, health, insights, matching, pathways, resources, search

API_ROUTERS = (health.router, search.router, documents.router, insights.router, resources.router)
STAFF_ROUTERS = (handoffs.router, matching.router, pathways.router)
