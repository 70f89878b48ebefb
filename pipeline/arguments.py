"""The argument parser every `berita` command uses, so each one has the same habits."""
from __future__ import annotations

import argparse
import difflib
import re
import sys


class BeritaParser(argparse.ArgumentParser):
    """argparse with berita's habits: an error shows the usage of the (sub)command it concerns,
    says `berita CMD: error: ...`, and names the closest option or command to a misspelt one."""

    def parse_known_args(self, args=None, namespace=None):
        self.given = list(sys.argv[1:] if args is None else args)  # for the suggestion
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{self._suggestion(message)}\n")

    def _suggestion(self, message: str) -> str:
        """The closest option to the first unknown one given (whatever the error it caused:
        `--otu DIR` first shows as a missing --out), or the closest sub-command."""
        options = [o for o in self._option_string_actions if o.startswith("--")]
        for word in getattr(self, "given", []):
            word = word.split("=")[0]
            if word.startswith("--") and word not in self._option_string_actions:
                close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
                if close:
                    return f" ({word}: did you mean {close[0]}?)"
        choice = re.search(r"invalid choice: '([^']*)'", message)
        commands = [a for a in self._actions if isinstance(a, argparse._SubParsersAction)]
        if choice and commands:
            close = difflib.get_close_matches(choice.group(1), list(commands[0].choices), n=1, cutoff=0.6)
            return f" (did you mean {close[0]}?)" if close else ""
        return ""
