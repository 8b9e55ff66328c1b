"""``python -m auditor`` runs the samey CLI."""
from auditor.cli import main

raise SystemExit(main())
