"""Finding the submissions in a folder and vetting them: sub-folders, zips and notebooks, parsed, never run.

A zip is unpacked into the grader's work folder with every path trick, link and bomb refused; a
folder is refused when it holds a symbolic link or is too large or too deep; either is refused
when it holds no file of the student's (its status says so once, not each assignment missing); a folder
that holds nothing but one zip is that zip (Moodle's "Download all submissions" gives a folder per student
with the file they uploaded); an extension is read in any case (``BOB.ZIP`` is a zip, ``carol.IPYNB`` a notebook,
graded from a copy named ``.ipynb``); an entry of
SUBMISSIONS that is itself a symbolic link is refused (it could point at the reference solution
or at another class). A refused submission keeps its row: its :class:`Submission` carries the
reason as ``problem``, and nothing of it is graded. What students' tools leave behind
(environments, caches, ``.git``, ``__MACOSX``: :mod:`autograder.submissions.junk`) is set aside
first, in zips and folders alike: never unpacked, counted or refused; ``ignored`` says what it was. Nothing a student hands in stops the batch:
whatever goes wrong while reading one entry (an archive ``zipfile`` cannot read, a tree too deep
to walk, a name that is not UTF-8) becomes that entry's ``problem``. Student ids come from
:func:`~autograder.submissions.student_ids.student_id`, safe for every place they are written.
"""
import os
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder.submissions.folders import lms_file, looks_handed_in, stray_note, suffix_of
from autograder.submissions.junk import JUNK_NAMES, kept_members, walk_kept
from autograder.submissions.student_ids import printable, student_id
from autograder.submissions.tree import MAX_DEPTH, MAX_ENTRIES, TreeTooLarge, remove_tree

MAX_ZIP_BYTES = 64 * 1024**2
MAX_ZIP_FILES = MAX_ENTRIES
# The bytes of a zip's list of members (its central directory): read whole and made into a ZipInfo per member by
# zipfile before any member is looked at, junk included, in the grader's own process. 16 MiB holds a project folder
# with its environments (a venv of scikit-learn and matplotlib: ~30,000 members, ~4 MiB); a 1 GiB zip of empty
# members lists ten million (~6 GiB of ZipInfo).
MAX_MEMBER_LIST_BYTES = 16 * 1024**2


class Refused(ValueError):
    """An archive refused for a reason the student can act on (the message says it)."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    problem: str = ""
    ignored: tuple = ()  # what was set aside as not the student's work (see autograder.submissions.junk)


def member_path(member):
    """A zip member's path with ``/`` between folders: some Windows tools write ``\\`` there."""
    return member.filename.replace("\\", "/")


def safe_unzip(archive, destination, assignment_folders=()):
    """Unpack ``archive`` into ``destination``, refusing path tricks, links, deep trees and zip bombs.

    Returns the folder that holds the assignment folders (a single wrapping folder is looked through,
    unless it is an assignment folder itself: one of ``assignment_folders``, or one holding a module or
    notebook) and what was set aside, never unpacked (:func:`~autograder.submissions.junk.kept_members`).
    Raises :class:`Refused` with the reason (for the gradebook) on anything it refuses, and whatever
    ``zipfile`` raises on an archive it cannot read.
    """
    destination = Path(destination)
    if _member_list_bytes(archive) > MAX_MEMBER_LIST_BYTES:
        raise Refused(f"{archive.name} lists too many files to grade (its list of members is over "
                      f"{MAX_MEMBER_LIST_BYTES // 1024**2} MiB)")
    with zipfile.ZipFile(archive) as bundle:
        members, ignored = kept_members(bundle.infolist())
        if all(member_path(member).endswith("/") for member in members):
            raise Refused(empty_problem(archive.name, ignored))
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise Refused(f"{archive.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                             f"{MAX_ZIP_BYTES // 1024**2} MiB unpacked)")
        for member in members:
            name = PurePosixPath(member_path(member))
            if name.is_absolute() or ".." in name.parts or (name.parts and name.parts[0].endswith(":")):
                raise Refused(f"{archive.name} contains an unsafe path: {member.filename!r}")
            if len(name.parts) > MAX_DEPTH:
                raise Refused(f"{archive.name} is nested too deeply to grade (over {MAX_DEPTH} folders)")
            if stat.S_ISLNK(member.external_attr >> 16):
                raise Refused(f"{archive.name} contains a symbolic link: {member.filename!r}")
            if member.flag_bits & 0x1:
                raise Refused(f"{archive.name} is encrypted ({member.filename!r}): submit a zip without a password")
        for member in members:
            _unpack(bundle, member, destination, archive.name)
    return unwrapped(destination, assignment_folders), ignored


def _unpack(bundle, member, destination, shown):
    """Write one vetted ``member`` of ``bundle`` under ``destination``.

    Raises :class:`Refused` when this file system cannot hold it (a name over 255 bytes, a file where another
    member makes a folder of the same name): its status names the member, never the grader's work folder, and says
    what the student can do; an archive ``zipfile`` cannot read raises what it raises.
    """
    path = member_path(member)
    target = destination / path
    try:
        if path.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        with bundle.open(member) as source, open(target, "wb") as written:
            written.write(source.read(MAX_ZIP_BYTES + 1)[:MAX_ZIP_BYTES])
    except OSError as error:
        named = path if len(path) <= 100 else f"{path[:100]}..."
        raise Refused(f"{shown} holds a file that cannot be unpacked here, {named!r} "
                      f"({error.strerror or type(error).__name__}): rename it, zip the folder again and "
                      "hand that zip in") from None


def unwrapped(folder, assignment_folders=()):
    """``folder``, or the one folder it holds (junk aside) when that folder wraps the work.

    A student who zips the folder their assignment folders are in hands in ``my-work/02_softmax/...``;
    a folder that is an assignment's (one of ``assignment_folders``, or one holding a module or
    notebook) is the work itself and is not looked through.
    """
    entries = [entry for entry in Path(folder).iterdir() if entry.name not in JUNK_NAMES]
    if (len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink()
            and not _assignment_folder(entries[0], assignment_folders)):
        return entries[0]
    return Path(folder)


def _member_list_bytes(archive):
    """The size of ``archive``'s central directory, as its end record says (0 if it has none: zipfile will say why).

    zipfile's own reader of the end record (zip64 included) is private, but has been there since Python 2.
    """
    with open(archive, "rb") as file:
        end = zipfile._EndRecData(file)
    return end[zipfile._ECD_SIZE] if end else 0


def _assignment_folder(folder, assignment_folders):
    """True for a folder that is an assignment's, by name or by holding a module or notebook itself."""
    return folder.name in assignment_folders or any(
        child.suffix in (".py", ".ipynb") and child.is_file() for child in folder.iterdir())


def folder_problem(folder, ignored=None):
    """Why the submission folder cannot be graded ("" when it can): the rules a zip follows.

    Junk is set aside first and not counted; what was set aside is appended to ``ignored``.

    A symbolic link would let the grader bind or read whatever it points to (the reference
    solution, say) as the student's work, and a folder of any size or depth costs time to fingerprint.
    """
    count = size = 0
    try:
        for path, info in walk_kept(folder, [] if ignored is None else ignored):
            if stat.S_ISLNK(info.st_mode):
                return f"{folder.name} contains a symbolic link: {path.relative_to(folder)} (submit the file itself)"
            if stat.S_ISREG(info.st_mode):
                count += 1
                size += info.st_size
            if count > MAX_ZIP_FILES or size > MAX_ZIP_BYTES:
                return (f"{folder.name} is too large to grade (over {MAX_ZIP_FILES} files or "
                        f"{MAX_ZIP_BYTES // 1024**2} MiB)")
    except TreeTooLarge as error:
        return str(error)
    return empty_problem(folder.name, ignored) if count == 0 else ""


def empty_problem(name, ignored):
    """The status of a submission without one file of the student's: said once, not as each assignment missing."""
    besides = " but what is set aside (caches, environments, system files)" if ignored else ""
    return f"{name} holds no files{besides}: nothing to grade"


def _unreadable(name, error):
    """The status of an entry that could not be read, in words (never the raw bytes of its name)."""
    return f"{name} could not be read ({type(error).__name__}: {str(error)[:200]}); nothing of it was graded"


def only_zip(folder):
    """The one zip that ``folder`` holds with nothing else (junk aside), or None."""
    entries = [entry for entry in folder.iterdir() if entry.name not in JUNK_NAMES]
    if len(entries) == 1 and suffix_of(entries[0]) == ".zip" and entries[0].is_file() \
            and not entries[0].is_symlink():
        return entries[0]
    return None


def unzipped(archive, student, work, assignment_folders=(), shown=None, ignored=()):
    """The :class:`Submission` of the zip ``archive``, unpacked into ``work/student`` (its reason when refused).

    ``shown`` is its printable name, ``ignored`` what was already set aside around it.
    """
    shown = shown or printable(archive.name)
    destination = Path(work) / student
    remove_tree(destination)
    destination.mkdir(parents=True)
    try:
        folder, unpacked_ignored = safe_unzip(archive, destination, assignment_folders)
        inner = only_zip(folder)
        if inner is not None:  # not unpacked in turn: a zip may nest zips without end
            raise Refused(f"{shown} holds only another zip, {printable(inner.relative_to(destination).as_posix())}: "
                          "nothing of it was graded; unzip it and hand in what it holds (or that zip itself)")
        return Submission(student, folder, ignored=(*ignored, *unpacked_ignored))
    except Refused as error:
        remove_tree(destination)
        return Submission(student, archive, str(error))
    except Exception as error:  # noqa: BLE001 - not a zip, unsupported compression, a corrupt stream...
        remove_tree(destination)
        return Submission(student, archive, f"{shown} is not a readable zip ({type(error).__name__}: "
                          f"{str(error)[:200]}); submit a plain zip (stored or deflated, no password)")


def renamed_notebook(entry, student, work):
    """A copy of the notebook ``entry`` (``carol.IPYNB``) as ``work/student/carol.ipynb``: every reader after
    discovery tells a notebook by its ``.ipynb``. Raises :class:`Refused` for one too large to copy for grading."""
    if entry.stat().st_size > MAX_ZIP_BYTES:
        raise Refused(f"{printable(entry.name)} is too large to grade (over {MAX_ZIP_BYTES // 1024**2} MiB)")
    destination = Path(work) / student
    remove_tree(destination)
    destination.mkdir(parents=True)
    return Path(shutil.copyfile(entry, destination / f"{entry.stem}.ipynb"))


def vet(entry, student, work, assignment_folders=()):
    """The :class:`Submission` for one entry of SUBMISSIONS, or None when it is not one (a stray file).

    Never raises for what the student handed in: every failure becomes the submission's problem.
    """
    shown = student_id(entry.name)
    try:
        info = os.lstat(entry)
        if stat.S_ISLNK(info.st_mode):
            return Submission(student, entry, f"{shown} is a symbolic link (to {printable(os.readlink(entry))}); "
                              "hand in the folder, zip or notebook itself")
        if stat.S_ISDIR(info.st_mode):
            ignored = []
            problem = folder_problem(entry, ignored)
            archive = None if problem else only_zip(entry)
            if archive is not None:  # Moodle's download: a folder per student, holding the zip they uploaded
                return unzipped(archive, student, work, assignment_folders, printable(archive.name), ignored)
            return Submission(student, entry, problem, tuple(ignored))
        if not stat.S_ISREG(info.st_mode):
            return None  # a pipe or a device is nobody's submission (and opening one could block)
        if suffix_of(entry) == ".zip" and not lms_file(entry):
            return unzipped(entry, student, work, assignment_folders, shown)
        if suffix_of(entry) == ".ipynb" and not lms_file(entry):
            return Submission(student, entry if entry.suffix == ".ipynb" else renamed_notebook(entry, student, work))
        return None
    except Refused as error:
        return Submission(student, entry, str(error))
    except Exception as error:  # noqa: BLE001 - one entry's trouble is its own row, never the batch's
        return Submission(student, entry, _unreadable(shown, error))


def _folded(student):
    """``student`` as a case-insensitive, normalising file system compares names (one file for both)."""
    return unicodedata.normalize("NFC", student).casefold()


def discover(submissions, work, assignment_folders=(), skip=(), set_aside=None):
    """Every submission in the folder, sorted by student id: sub-folders, zips and notebooks.

    ``assignment_folders`` (``01_perceptron`` ...) tell a zip of one assignment folder from a zip that
    wraps the whole submission in a folder. ``skip`` lists entries that are nobody's submission
    (the grader's own OUT folder, when it lies inside SUBMISSIONS).

    An nbgrader course folder (with ``source/`` and ``submitted/``) stands for its
    ``submitted/<student>/<assignment>/``; its assignments are found by notebook name
    (:func:`~autograder.submissions.locate.assignment_folder`), whatever nbgrader calls them.
    Two entries of the same student (``alice/`` and ``alice.zip``): the first one, by name, counts;
    the other is named in ``set_aside`` (a list, when given) with the reason, and so is an entry a
    student could have meant as a submission but whose name starts with a dot (taken for hidden, as
    ``.git`` is), a loose module, a notebook named as Canvas's flat download names a file and an archive
    that is not a zip
    (:func:`~autograder.submissions.folders.stray_note`): nothing is left out without a word;
    two names that only become the same id once made safe, or that a case-insensitive or
    normalising file system (macOS's, Windows') would take for one (``Alice`` and ``alice``, ``café``
    composed and decomposed), are told apart by a number: each id has a folder of its own in OUT
    and in the work folder, wherever the grader runs.
    """
    found = {}
    claimed = {}  # id -> the entry name that claimed it, without .zip or .ipynb
    entry_of = {}  # id -> that entry's name as it is in the folder
    taken = set()  # the ids, as such a file system compares them
    if (Path(submissions) / "submitted").is_dir() and (Path(submissions) / "source").is_dir():
        submissions = Path(submissions) / "submitted"
    with os.scandir(submissions) as listing:
        entries = sorted((Path(entry.path) for entry in listing), key=lambda path: os.fsencode(path.name))
    notes = set_aside if set_aside is not None else []
    for entry in entries:
        if entry in skip:
            continue
        if entry.name.startswith("."):
            if entry.name not in JUNK_NAMES and looks_handed_in(entry):
                notes.append(f"{printable(entry.name)}: its name starts with a dot, so it is taken for a hidden "
                             "file and not graded; rename it to grade it")
            continue
        base = entry.stem if suffix_of(entry) in (".zip", ".ipynb") else entry.name
        student = student_id(base)
        if student in found and claimed[student] == base:  # alice/ and alice.zip: the first one, by name, counts
            notes.append(f"{printable(entry.name)}: not graded, {printable(entry_of[student])} is already "
                         f"{student}'s submission (the first entry by name counts); leave one entry per student")
            continue
        number = 2
        unique = student
        while unique in found or _folded(unique) in taken:
            unique, number = f"{student}~{number}", number + 1
        submission = vet(entry, unique, work, assignment_folders)
        if submission is None and (note := stray_note(entry, printable(entry.name))):
            notes.append(note)
        if submission is not None:
            found[unique] = submission
            claimed[unique] = base
            entry_of[unique] = entry.name
            taken.add(_folded(unique))
    return sorted(found.values(), key=lambda submission: submission.student)
