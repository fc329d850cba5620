"""The document kit: what every school document shares.

A *school document* belongs to one school and one academic year, passes through states, is edited
by more than one person, must never lose an update, keeps its history and renders to PDF:
self-reviews, work plans, SEN audit returns and audit visits. Each of those apps declares a model
subclass of `models.SchoolDocument`, its `workflow.Workflow`, forms, thin views and templates; the
rest lives here, once:

- `models`     the abstract document and event models (scoped managers, history, lock version);
- `locking`    the version claim as one conditional UPDATE, and the conflict it raises;
- `workflow`   a small declarative state machine: transitions, who may make each, what is recorded;
- `conflicts`  the session store that keeps a refused save's values until the user chooses;
- `autosave`   the htmx autosave pattern: change only the posted fields, reply with a bare fragment;
- `history`    reading a document's history for its own tenant only.

Nothing here imports a project app at module level (`sendreview` sits below every app).
"""
