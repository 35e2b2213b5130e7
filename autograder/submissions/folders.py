"""The instructor's mistakes of where: a SUBMISSIONS or OUT folder that cannot be what was meant.

Checked before anything is written, each with one sentence saying what to do instead of a
traceback or a silently wrong gradebook: SUBMISSIONS missing, a file, empty or one student's own
submission (``grade alice/`` instead of ``grade class/``), and OUT where grading would read its own
output as a submission or write into one. OUT directly inside SUBMISSIONS (``grade class --out
class/graded``) is fine: discovery skips it, so a rerun does not grade the gradebook's folder.
"""
import os
import re
import stat
from pathlib import Path

SHOWN = 5  # names listed when saying what a folder holds instead
# Archives a student may hand in that the grader does not read (only .zip is): said, never dropped silently.
OTHER_ARCHIVES = (".rar", ".7z", ".tar", ".tgz", ".gz", ".bz2", ".xz")


def suffix_of(entry):
    """The extension of the entry of SUBMISSIONS ``entry``, in lower case: Windows and some LMS downloads write
    ``BOB.ZIP``, which is a zip as ``bob.zip`` is."""
    return entry.suffix.lower()


def looks_handed_in(entry):
    """True when the entry of SUBMISSIONS ``entry`` is a folder, a zip or a notebook: what a student hands in."""
    return entry.is_dir() or suffix_of(entry) in (".zip", ".ipynb")


# Canvas's "Download submissions" names each file ``<name>_[LATE_]<user id>_<submission id>_<file as uploaded>``.
_CANVAS_FILE = re.compile(r".+_(?:LATE_)?\d+_\d+_.+")


def lms_file(entry):
    """True when ``entry`` is named as Canvas's flat download names one uploaded file (not a student id): a module,
    a notebook or a zip (``smithbob_1234_5678_submission.zip``, graded under that name and the student's next
    upload as another student)."""
    return suffix_of(entry) in (".py", ".ipynb", ".zip") and _CANVAS_FILE.fullmatch(entry.stem) is not None


def stray_note(entry, shown):
    """Why a file of SUBMISSIONS that looks like a student's work is not graded, or "" for any other file.

    A loose module, a notebook named as an LMS's flat download names one uploaded file (Canvas's
    ``name_id_submission_softmax.ipynb``: its name is no student id, and a student's second notebook
    would be a second student), an archive other than a zip, and a named pipe, device or socket (whatever
    its name: never opened, it would have left a student out without a word) are nobody's submission; ``shown``
    is the entry's printable name.
    """
    special = special_kind(entry)
    if special:
        return (f"{shown}: not graded, it is {special}, not a file or folder a student hands in (reading one could wait "
                "forever): copy the student's work into a folder, .zip or notebook named by the student id")
    suffix = suffix_of(entry)
    if suffix == ".py" or lms_file(entry):
        kind = ("a loose module" if suffix == ".py" else
                f"a {'notebook' if suffix == '.ipynb' else 'zip'} named as an LMS's download names one file")
        return (f"{shown}: not graded, {kind} is nobody's submission: put each student's files in a folder named by "
                f"the student id (alice/02_softmax/softmax{suffix}), or hand in a .zip or notebook per student "
                "named by the id")
    if suffix in OTHER_ARCHIVES:
        return (f"{shown}: not graded, only .zip archives are read: unpack it into a folder named by the student "
                "id (or ask the student for a .zip)")
    return ""


def special_kind(entry):
    """What ``entry`` is when it is neither a regular file, a folder nor a symbolic link (a named pipe, a device, a
    socket: a tar or a copy of an LMS's download can make one), in words; "" otherwise. Read with ``lstat``: nothing
    is opened."""
    try:
        mode = os.lstat(entry).st_mode
    except OSError:
        return ""
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return ""


def _listing(folder):
    """The entries of ``folder`` a student could have handed in (hidden ones are not)."""
    return sorted((entry for entry in folder.iterdir() if not entry.name.startswith(".")), key=lambda e: e.name)


def _names(entries):
    names = [entry.name + ("/" if entry.is_dir() else "") for entry in entries[:SHOWN]]
    return ", ".join(names) + (f" and {len(entries) - SHOWN} more" if len(entries) > SHOWN else "")


def _one_submission(entries, assignments):
    """The entries that make the folder look like one student's submission: assignment folders or modules."""
    own = {a.folder for a in assignments} | {f"{a.module}.py" for a in assignments} | {
        f"{a.module}.ipynb" for a in assignments}
    return [entry for entry in entries if entry.name in own]


def check_folders(submissions, out, assignments, roster=False, kit_root=None):
    """Raise ``ValueError`` (or ``FileNotFoundError``) saying what to do when the folders are wrong.

    Parameters
    ----------
    submissions, out : path-like
        The SUBMISSIONS and ``--out`` folders of ``autograder grade``.
    assignments : list of Assignment
        The kit's assignments: their folder and module names are what a single submission holds.
    roster : bool
        Whether a roster was given: then an empty SUBMISSIONS is a week where nobody handed in.
    kit_root : path-like, optional
        The kit's checkout, which OUT must not hold: per-student folders would land among its files.

    Returns
    -------
    tuple of Path
        The entries of SUBMISSIONS that discovery must skip (OUT, when it lies directly inside).
    """
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if not submissions.exists():
        raise FileNotFoundError(f"no folder {submissions}: SUBMISSIONS is the folder holding one sub-folder, "
                                ".zip or notebook per student")
    if not submissions.is_dir():
        whole_class = (f"if it holds the whole class (an LMS's download), unzip it into a folder and grade that; "
                       if submissions.suffix == ".zip" else "")
        raise ValueError(f"{submissions} is a file, not a folder of submissions: {whole_class}if it is one "
                         "student's, put it in a folder of its own (the file's name is the student id) and grade "
                         "that folder")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file: OUT is the folder the gradebook and a folder per student go "
                         "into; pass a folder, new or from an earlier run, e.g. --out graded")
    if kit_root is not None and Path(kit_root).resolve().is_relative_to(out):
        raise ValueError(f"--out {out} holds the kit's checkout: a folder per student would land among its files; "
                         "pass a folder of its own, e.g. --out graded")
    if out == submissions:
        raise ValueError(f"--out {out} is the submissions folder itself: the results would be written into the "
                         "students' folders; pass another folder, e.g. --out graded")
    skip = ()
    if out.is_relative_to(submissions):
        inside = submissions / out.relative_to(submissions).parts[0]
        if inside != out:
            raise ValueError(f"--out {out} is inside {inside.name}, an entry of SUBMISSIONS: it would be graded as "
                             "part of that submission; pass a folder outside it, e.g. --out graded")
        skip = (out,)
    entries = [entry for entry in _listing(submissions) if entry not in skip]
    looks_like_one = _one_submission(entries, assignments)
    if looks_like_one:
        raise ValueError(f"{submissions} looks like one student's submission (it holds {_names(looks_like_one)}), "
                         "not a folder of submissions: grade the folder that holds it (one sub-folder, .zip or "
                         f"notebook per student, named by the student id), e.g. `autograder grade {submissions.parent} "
                         "--out graded`")
    handed_in = [entry for entry in entries if looks_handed_in(entry)]
    if not handed_in and not roster:
        found = f"it holds only {_names(entries)}" if entries else "it is empty"
        raise ValueError(f"nothing to grade in {submissions}: {found}; it should hold one sub-folder, .zip or "
                         "notebook per student, named by the student id (e.g. alice/02_softmax/softmax.py or "
                         "alice.zip)")
    return skip
