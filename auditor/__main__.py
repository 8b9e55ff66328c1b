"""``python -m auditor`` runs the samey CLI."""
from .cli import main

raise SystemExit(main())
