"""The self-contained review page of a run."""
