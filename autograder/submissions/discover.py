"""Finding the submissions in a folder and vetting them: sub-folders, zips and notebooks, parsed, never run.

A zip is unpacked into the grader's work folder with every path trick, link and bomb refused; a
folder is refused when it holds a symbolic link or is too large. A refused submission keeps its
row: its :class:`Submission` carries the reason as ``problem``, and nothing of it is graded.
"""
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.kit.assignments import ASSIGNMENTS

MAX_ZIP_BYTES = 64 * 1024**2
MAX_ZIP_FILES = 2000


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    problem: str = ""


def safe_unzip(archive, destination):
    """Unpack ``archive`` into ``destination``, refusing path tricks, links and zip bombs.

    Returns the folder that holds the assignment folders (a single wrapping folder is looked through).
    """
    destination = Path(destination)
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise ValueError(f"{archive.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                             f"{MAX_ZIP_BYTES // 1024**2} MiB unpacked)")
        for member in members:
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts:
                raise ValueError(f"{archive.name} contains an unsafe path: {member.filename}")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise ValueError(f"{archive.name} contains a symbolic link: {member.filename}")
        for member in members:
            target = destination / member.filename
            if member.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(member) as source:
                target.write_bytes(source.read(MAX_ZIP_BYTES + 1)[:MAX_ZIP_BYTES])
    entries = [entry for entry in destination.iterdir() if entry.name != "__MACOSX"]
    folders = {assignment.folder for assignment in ASSIGNMENTS}
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name not in folders:
        return entries[0]
    return destination


def folder_problem(folder):
    """Why the submission folder cannot be graded ("" when it can): the rules a zip follows.

    A symbolic link would let the grader bind or read whatever it points to (the reference
    solution, say) as the student's work, and a folder of any size costs time to fingerprint.
    """
    count = size = 0
    for top, folders, files in os.walk(folder):
        for name in folders + files:
            if os.path.islink(os.path.join(top, name)):
                link = Path(top, name).relative_to(folder)
                return f"{folder.name} contains a symbolic link: {link} (submit the file itself)"
        count += len(files)
        size += sum(os.stat(os.path.join(top, name)).st_size for name in files)
        if count > MAX_ZIP_FILES or size > MAX_ZIP_BYTES:
            return (f"{folder.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                    f"{MAX_ZIP_BYTES // 1024**2} MiB)")
    return ""


def discover(submissions, work):
    """Every submission in the folder, sorted by student id: sub-folders, zips and notebooks.

    An nbgrader course folder (with ``source/`` and ``submitted/``) stands for its
    ``submitted/<student>/<assignment>/``; its assignments are found by notebook name
    (:func:`~autograder.submissions.locate.assignment_folder`), whatever nbgrader calls them.
    """
    found = {}
    if (Path(submissions) / "submitted").is_dir() and (Path(submissions) / "source").is_dir():
        submissions = Path(submissions) / "submitted"
    for entry in sorted(Path(submissions).iterdir()):
        if entry.name.startswith("."):
            continue
        student = entry.stem if entry.is_file() else entry.name
        if student in found:
            continue  # alice/ and alice.zip: the first one, alphabetically, counts
        if entry.is_dir():
            found[student] = Submission(student, entry, folder_problem(entry))
        elif entry.suffix == ".zip":
            destination = Path(work) / student
            try:
                if destination.exists():
                    shutil.rmtree(destination)
                destination.mkdir(parents=True)
                found[student] = Submission(student, safe_unzip(entry, destination))
            except (ValueError, zipfile.BadZipFile, OSError) as error:
                reason = str(error) if isinstance(error, ValueError) else f"{entry.name} is not a readable zip"
                found[student] = Submission(student, entry, reason)
        elif entry.suffix == ".ipynb":
            found[student] = Submission(student, entry)
    return list(found.values())
