"""The HubScope Streamlit dashboard: `app.py` is the entry point; pages live in `dashboard/pages/`.

- `data.py`   the cached read-only connection and the cached query runner (every query is `sql/queries/<name>.sql`)
- `state.py`  the global sidebar controls, bound to the URL query string
- `charts.py` shared Altair helpers, the SLM/LLM colour scale, captions and the "no models match" message
"""
