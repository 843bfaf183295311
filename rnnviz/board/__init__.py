"""The class board: a whole class's runs, kept in a database so they outlive a server process and are shared by
every replica.

- ``store``: the database (SQLite in a file by default, PostgreSQL when ``RNNVIZ_DATABASE_URL`` says so) through
  SQLAlchemy 2: a versioned schema, one transaction per change, no SQL built from strings; classes, students and
  their posted runs, with the rules (teacher key, nickname, expiry, caps) enforced here.
- ``summary``: what the board shows, computed once for the page and the command line: solved fraction and steps
  to solve per architecture and length, with the spread over seeds; the CSV and JSON rows.
- ``cli``: ``python -m rnnviz board --class CODE --json|--csv``.

Nothing here imports Streamlit or torch: the page glue is ``rnnviz.ui.classroom``.
"""
