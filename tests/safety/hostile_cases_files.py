"""Hostile cases of the file system: FIFOs, links, permissions, full and read-only disks, long
names, editors' droppings, dangerous output folders and other people's files beside the output.

Every case is one distinct attack or fault; the suite (test_hostile_suite.py) runs it as a real
process and checks the exit status, the located message, no traceback, the previous publish and
the files outside the project byte for byte, and that it ends.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from hostile_harness import CHECK, PUBLISH, Case, S, World

Setup = Callable[[World], None]
ID = S.split("/")[-1]
EDIT = "\n\nOne more sentence, so that the publish has something to render.\n"
LINK_OUT = r"is a link to .*outside the project"


def steps(*setups: Setup) -> Setup:
    def apply(world: World) -> None:
        for setup in setups:
            setup(world)

    return apply


def edited(world: World) -> None:
    """An edit, so that a publish really writes (not a no-op)."""
    with open(world.path(f"{S}/en.md"), "a", encoding="utf-8") as handle:
        handle.write(EDIT)


def _cleared(path: Path) -> Path:
    """``path`` with nothing there (a folder removed whole, a file or link unlinked), its
    parent made."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def fifo(rel: str) -> Setup:
    def apply(world: World) -> None:
        os.mkfifo(_cleared(world.path(rel)))

    return apply


def link(rel: str, target: str, *, outside: bool = False) -> Setup:
    """Replace ``rel`` by a link to ``target`` (in the outside folder when ``outside``)."""

    def apply(world: World) -> None:
        _cleared(world.path(rel)).symlink_to(world.outside / target if outside else target)

    return apply


def moved_out(rel: str, name: str) -> Setup:
    """Move ``rel`` into the outside folder and leave a link to it in its place."""

    def apply(world: World) -> None:
        shutil.move(world.path(rel), world.outside / name)
        world.path(rel).symlink_to(world.outside / name)

    return apply


def removed(rel: str) -> Setup:
    def apply(world: World) -> None:
        _cleared(world.path(rel))

    return apply


def folder(rel: str) -> Setup:
    """A folder at ``rel``, in place of whatever was there."""

    def apply(world: World) -> None:
        _cleared(world.path(rel)).mkdir()

    return apply


def mode(rel: str, bits: int) -> Setup:
    def apply(world: World) -> None:
        path = world.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.mkdir()
        before = path.stat().st_mode & 0o7777
        path.chmod(bits)
        world.later(lambda: path.chmod(before))

    return apply


def write(rel: str, data: str | bytes) -> Setup:
    def apply(world: World) -> None:
        world.write(rel, data)

    return apply


def logo(world: World) -> None:
    """Name a logo in the configuration (the case then makes it something odd)."""
    with open(world.path("syndicate.toml"), "a", encoding="utf-8") as handle:
        handle.write('\n[pdf]\nlogo = "logo.svg"\n')


def renamed(length: int) -> Setup:
    """The shipped statement under an id of ``length`` characters."""
    new = ("a-" * length)[: length - 1] + "z"

    def apply(world: World) -> None:
        world.path(S).rename(world.path(f"statements/{new}"))

    return apply


def old_plain_output(*extra: str, link_out: bool = False) -> Setup:
    """An older syndicate's plain output folder `old/`, its manifest listing index.html, plus
    ``extra`` files it does not list (and a link out, with ``link_out``)."""

    def apply(world: World) -> None:
        world.write("old/manifest.json",
                    '{"generator": "syndicate 0.0.1", "files": [{"path": "index.html"}]}')
        world.write("old/index.html", "<p>old</p>")
        for name in extra:
            world.write(f"old/{name}", "mine, not syndicate's")
        if link_out:
            world.path("old/elsewhere").symlink_to(world.outside / "folder")

    return apply


def mount(rel: str, kib: int, *, read_only: bool = False) -> Setup:
    def apply(world: World) -> None:
        path = world.mount_tmpfs(rel, kib)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)

    return apply


def published_into_then_filled(rel: str, kib: int, spare_kib: int) -> Setup:
    """A small file system at ``rel`` holding a publish of the project, then filled up to
    ``spare_kib`` free: the next publish runs out of space."""

    def apply(world: World) -> None:
        path = world.mount_tmpfs(rel, kib)
        subprocess.run([sys.executable, "-m", "syndicate", *PUBLISH, "--quiet", "--out",
                        str(path / "dist")], cwd=world.project, check=True, timeout=300)
        free = os.statvfs(path)
        filler = free.f_bavail * free.f_frsize - spare_kib * 1024
        if filler > 0:
            with open(path / "filler", "wb") as handle:
                handle.write(b"\0" * filler)

    return apply


def big_unused(world: World) -> None:
    """A 1.5 GB file in the statement's folder that nothing mentions (sparse: no disk used)."""
    with open(world.path(f"{S}/raw-footage.mov"), "wb") as handle:
        handle.truncate(1536 * 1024 * 1024)


NOT_REGULAR = "not a regular file"
PERMISSION = "Permission denied"


def out(path: str) -> tuple[str, ...]:
    return (*PUBLISH, "--out", path)


CASES = [
    # FIFOs: never waited on, wherever they are ---------------------------------------------
    Case("files-fifo-en-md", fifo(f"{S}/en.md"), (rf"^{S}/en\.md: {NOT_REGULAR}$",)),
    Case("files-fifo-en-md-check", fifo(f"{S}/en.md"), (rf"^{S}/en\.md: {NOT_REGULAR}$",),
         command=CHECK),
    Case("files-fifo-statement-yaml", fifo(f"{S}/statement.yaml"),
         (rf"^{S}/statement\.yaml: {NOT_REGULAR}$",)),
    Case("files-fifo-statement-yaml-check", fifo(f"{S}/statement.yaml"),
         (rf"^{S}/statement\.yaml: {NOT_REGULAR}$",), command=CHECK),
    Case("files-fifo-link-target", steps(fifo("pipe"), link(f"{S}/en.md", "../../pipe")),
         (rf"^{S}/en\.md: {NOT_REGULAR}$",)),
    Case("files-fifo-link-target-yaml",
         steps(fifo("pipe"), link(f"{S}/statement.yaml", "../../pipe")),
         (rf"^{S}/statement\.yaml: {NOT_REGULAR}$",), command=CHECK),
    Case("files-fifo-logo", steps(logo, fifo("logo.svg")),
         (rf"^syndicate\.toml:\d+: cannot read logo 'logo\.svg': {NOT_REGULAR}$",)),
    Case("files-fifo-logo-check", steps(logo, fifo("logo.svg")),
         (rf"^syndicate\.toml:\d+: cannot read logo 'logo\.svg': {NOT_REGULAR}$",),
         command=CHECK),
    Case("files-fifo-config", fifo("syndicate.toml"), (rf"^syndicate\.toml: {NOT_REGULAR}$",),
         command=CHECK),
    Case("files-fifo-catalog", fifo("locales/pt_PT/LC_MESSAGES/messages.po"),
         (rf"^locales/pt_PT/LC_MESSAGES/messages\.po: {NOT_REGULAR}$",)),
    # A project's messages.pot is read by nothing (the package's template is: issue 20), and
    # `i18n extract` replaces whatever is there in one rename, never waiting on a FIFO.
    Case("files-fifo-catalog-template", fifo("locales/messages.pot"), (), exit=0,
         command=CHECK),
    Case("files-fifo-catalog-template-extract", fifo("locales/messages.pot"),
         (), exit=0, command=("i18n", "extract")),
    Case("files-fifo-dist-cache", steps(fifo(".dist.cache.json"), edited),
         (r"\.dist\.cache\.json: syndicate keeps a regular file there",)),
    Case("files-fifo-dist-lock", fifo(".dist.lock"),
         (r"\.dist\.lock: syndicate keeps a regular file there",)),
    Case("files-fifo-unmentioned-in-statement", fifo(f"{S}/notes.pipe"), (), exit=0),
    Case("files-fifo-in-statements", fifo("statements/pipe"),
         (r"^statements/pipe: warning: ignored",), exit=0, command=CHECK),
    Case("files-fifo-as-out", fifo("pipe-out"), (r"pipe-out: it exists and is not a folder",),
         command=out("pipe-out")),
    # Links beside the output: never followed ------------------------------------------------
    Case("files-link-trash-to-folder", steps(link(".dist.trash", "folder", outside=True), edited),
         (r"\.dist\.trash: it is a symbolic link syndicate did not create",)),
    Case("files-link-trash-to-folder-no-op", link(".dist.trash", "folder", outside=True),
         (r"\.dist\.trash: it is a symbolic link syndicate did not create",)),
    Case("files-link-trash-to-file", steps(link(".dist.trash", "secret.txt", outside=True), edited),
         (r"\.dist\.trash: it is a symbolic link",)),
    Case("files-link-lock-to-file-no-op", link(".dist.lock", "secret.txt", outside=True),
         (r"\.dist\.lock: it is a symbolic link syndicate did not create",)),
    Case("files-link-lock-to-file", steps(link(".dist.lock", "secret.txt", outside=True), edited),
         (r"\.dist\.lock: it is a symbolic link",)),
    Case("files-link-lock-dangling", link(".dist.lock", "created-through-the-link.txt",
                                          outside=True),
         (r"\.dist\.lock: it is a symbolic link",)),
    Case("files-link-lock-to-folder", link(".dist.lock", "folder", outside=True),
         (r"\.dist\.lock: it is a symbolic link",)),
    Case("files-link-versions", steps(moved_out(".dist.versions", "versions"), edited),
         (r"\.dist\.versions: it is a symbolic link syndicate did not create",)),
    Case("files-link-versions-no-op", moved_out(".dist.versions", "versions"),
         (r"\.dist\.versions: it is a symbolic link",)),
    Case("files-link-cache-to-file", steps(link(".dist.cache.json", "secret.txt", outside=True),
                                           edited),
         (r"\.dist\.cache\.json: it is a symbolic link",)),
    Case("files-folder-as-lock", folder(".dist.lock"),
         (r"\.dist\.lock: syndicate keeps a regular file there",)),
    Case("files-no-statements-folder", removed("statements"),
         (r"^statements: no statements folder: `syndicate new TITLE` writes the first statement "
          r"\(`syndicate init` starts a project\)",), command=CHECK),
    Case("files-file-as-trash", steps(removed(".dist.trash"), write(".dist.trash", "a file"),
                                      edited),
         (r"\.dist\.trash: syndicate keeps a folder there",)),
    Case("files-link-as-out", link("dist", "folder", outside=True),
         (r"refusing to replace dist: it is a link syndicate did not create",)),
    Case("files-link-in-versions",
         steps(link(".dist.versions/.staging-planted", "folder", outside=True), edited),
         (), exit=0),
    Case("files-link-in-trash", steps(link(".dist.trash/planted", "folder", outside=True),
                                      edited), (), exit=0),
    Case("files-link-in-trash-no-op", link(".dist.trash/planted", "secret.txt", outside=True),
         (), exit=0),
    # Links in and around the statements ---------------------------------------------------
    Case("files-link-subfolder-out", link(f"{S}/extra/secret.txt", "secret.txt", outside=True),
         (rf"^{S}/extra/secret\.txt: {LINK_OUT}",)),
    Case("files-link-deep-subfolder-out", link(f"{S}/a/b/c/d/folder", "folder", outside=True),
         (rf"^{S}/a/b/c/d/folder: {LINK_OUT}",)),
    Case("files-link-subfolder-is-link-out", link(f"{S}/images", "folder", outside=True),
         (rf"^{S}/images: {LINK_OUT}",)),
    Case("files-link-statement-folder-out", moved_out(S, "statement"),
         (rf"^{S}: {LINK_OUT}",)),
    Case("files-link-statements-out", moved_out("statements", "statements"),
         (rf"^statements: {LINK_OUT}",)),
    Case("files-link-loop", link(f"{S}/loop", "loop"), (), exit=0, command=CHECK),
    # A loop beside the statements: that entry is no statement, the others are published
    Case("files-link-loop-in-statements", link("statements/loop", "loop"),
         (r"^statements/loop: warning: ignored: statements/ holds one folder per statement",),
         exit=0),
    Case("files-link-loop-hidden-in-statements", link("statements/.loop", ".loop"), (), exit=0,
         command=CHECK),
    Case("files-link-loop-markdown", link(f"{S}/en.md", "en.md"),
         (rf"^{S}/en\.md: cannot read: Too many levels of symbolic links",)),
    Case("files-link-inside-subfolder", link(f"{S}/extra/copy.md", "../en.md"), (), exit=0,
         command=CHECK),
    Case("files-link-dangling-subfolder", link(f"{S}/extra/gone", "/nonexistent/file"),
         (rf"^{S}/extra/gone: {LINK_OUT}",), command=CHECK),
    # Permissions (as root: without the capabilities that ignore them) -----------------------
    Case("files-unreadable-statement-folder", mode(S, 0o000),
         (rf"^{S}: cannot read folder: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-statements", mode("statements", 0o000),
         (rf"^statements: cannot read folder: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-subfolder", mode(f"{S}/extra", 0o000),
         (rf"^{S}/extra: cannot read folder: {PERMISSION}$",), unprivileged=True,
         command=CHECK),
    Case("files-unreadable-markdown", mode(f"{S}/en.md", 0o000),
         (rf"^{S}/en\.md: cannot read: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-statement-yaml", mode(f"{S}/statement.yaml", 0o000),
         (rf"^{S}/statement\.yaml: cannot read: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-config", mode("syndicate.toml", 0o000),
         (rf"^syndicate\.toml: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-catalog", mode("locales/pt_PT/LC_MESSAGES/messages.po", 0o000),
         (rf"^locales/pt_PT/LC_MESSAGES/messages\.po: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-locales", mode("locales/pt_PT", 0o000),
         (rf"^locales/pt_PT/LC_MESSAGES/messages\.po: {PERMISSION}$",), unprivileged=True),
    Case("files-unreadable-logo", steps(logo, write("logo.svg", "<svg/>"), mode("logo.svg", 0)),
         (rf"^syndicate\.toml:\d+: cannot read logo 'logo\.svg': {PERMISSION}$",),
         unprivileged=True),
    Case("files-read-only-out-parent", mode("shelf", 0o555),
         (rf"^shelf/\.dist\.lock: {PERMISSION}$",), unprivileged=True,
         command=out("shelf/dist")),
    Case("files-read-only-project-folder", steps(edited, mode(".", 0o555)),
         (rf"-> \.dist\.link-[0-9a-f]+: {PERMISSION}$",), unprivileged=True),
    Case("files-read-only-versions", steps(edited, mode(".dist.versions", 0o555)),
         (rf"^\.dist\.versions/\.staging-[0-9a-f]+: {PERMISSION}$",), unprivileged=True),
    # Full and read-only disks (a small tmpfs: root only) ------------------------------------
    Case("files-full-disk-first-publish", mount("small", 64),
         (r"no space left on the device: the disk is full \(No space left on device\)",
          r"nothing was published"), needs="root", command=out("small/dist")),
    Case("files-full-disk-republish", steps(published_into_then_filled("small", 1024, 24),
                                            edited),
         (r"^small/\.dist\.versions/\.staging-[0-9a-f]+.*: no space left on the device",
          r"nothing was published: dist still shows the previous publish"),
         needs="root", command=out("small/dist")),
    Case("files-read-only-disk", mount("frozen", 64, read_only=True),
         (r"^frozen/\.dist\.lock: the file system is read-only",), needs="root",
         command=out("frozen/dist")),
    # Names too long for the file system -----------------------------------------------------
    Case("files-long-id-241", renamed(241), (), exit=0, command=CHECK),
    Case("files-long-id-242", renamed(242),
         (r"^statements/[a-z-]{242}: statement id is too long \(242 characters\)",
          r"use at most 241 characters"), command=CHECK),
    Case("files-long-id-242-publish", renamed(242), (r"statement id is too long",)),
    Case("files-long-id-250", renamed(250), (r"would have a name of 264 bytes",), command=CHECK),
    Case("files-long-id-255", renamed(255), (r"statement id is too long \(255 characters\)",),
         command=CHECK),
    # Editors' droppings: ignored --------------------------------------------------------------
    Case("files-dropping-emacs-lock", link(f"{S}/.#en.md", "root@host.1234:1700000000"), (),
         exit=0),
    Case("files-dropping-backup", write(f"{S}/en.md~", "---\nnot: yaml: at all\n"), (), exit=0,
         command=CHECK),
    Case("files-dropping-vim-swap", write(f"{S}/.en.md.swp", b"b0VIM 9.0\0\xff\xfe"), (), exit=0,
         command=CHECK),
    Case("files-dropping-emacs-autosave", write(f"{S}/#en.md#", "half an edit"), (), exit=0,
         command=CHECK),
    Case("files-dropping-in-statements", steps(link("statements/.#x", "root@host.1:2"),
                                               write("statements/old~", "x")), (), exit=0,
         command=CHECK),
    # Output folders that would destroy or mix up files ---------------------------------------
    Case("files-out-inside-statements", lambda w: None,
         (r"refusing to publish into statements/out: it is inside the project's statements/",),
         command=out("statements/out")),
    Case("files-out-is-a-statement", lambda w: None,
         (r"it is inside the project's statements/ folder",), command=out("{project}/" + S)),
    Case("files-out-inside-locales", lambda w: None,
         (r"it is inside the project's locales/ folder",), command=out("locales/site")),
    Case("files-out-old-output-with-unlisted-file", old_plain_output("notes.txt"),
         (r"refusing to replace old: 1 file\(s\) in it are not in its manifest\.json.*notes\.txt",),
         command=out("old")),
    Case("files-out-old-output-with-unlisted-folder", old_plain_output("drafts/plan.txt"),
         (r"not in its manifest\.json.*drafts/plan\.txt",), command=out("old")),
    Case("files-out-old-output-with-link-out", old_plain_output(link_out=True),
         (r"not in its manifest\.json.*elsewhere",), command=out("old")),
    Case("files-out-manifest-fifo", steps(write("old/index.html", "x"), fifo("old/manifest.json")),
         (r"refusing to replace old: it is not empty and has no manifest\.json",),
         command=out("old")),
    Case("files-out-old-output-listed-only", old_plain_output(), (), exit=0,
         command=out("old")),
    # Big files nobody uses -------------------------------------------------------------------
    Case("files-big-unused-file", steps(big_unused, edited), (), exit=0),
]
