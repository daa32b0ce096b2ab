"""Course tooling for instructors and maintainers; the notebooks never import it."""

import sys

# nbformat validates notebooks with jsonschema, which imports rfc3987_syntax if it is installed
# (jupyter-events pulls it in). That module builds 38 Lark parsers at import, about 2.5 s of
# CPU, for two string formats ("iri", "iri-reference") that no notebook schema uses. Marking it
# absent makes jsonschema skip those two formats (python-jsonschema/jsonschema#1428).
sys.modules.setdefault("rfc3987_syntax", None)
