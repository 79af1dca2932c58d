"""The conformance harness: runs scenarios against any client and judges its behaviours."""
