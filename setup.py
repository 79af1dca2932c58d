"""Only what pyproject.toml cannot say: the wheel carries the repository's top-level
scenarios/, clients/ and docs/ as package data under harness/_bundled/ (harness/bundled.py
finds them there, or in the checkout). Everything else is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders (harness/bundled.py)
        import sys

        sys.path.insert(0, str(HERE))
        from harness.bundled import SHIPPED

        target = Path(self.build_lib) / "harness" / "_bundled"
        for folder, patterns in SHIPPED.items():
            for pattern in patterns:
                for source in sorted((HERE / folder).glob(pattern)):
                    dest = target / folder / source.relative_to(HERE / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)


setup(cmdclass={"build_py": BuildPyWithBundled})
