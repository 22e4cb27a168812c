#!/usr/bin/env python3
"""Deface many volumes in 3D Slicer with the FaceMasking CLI module.

Headless (DIR holds FaceMasking, libFaceMaskingLib.so and FaceMasking.xml, e.g.
<build>/cli-modules; not needed when FaceMasking is installed as an extension):

  Slicer --no-splash --no-main-window --additional-module-paths DIR \\
         --python-script deface_batch.py -- --folder SCANS [--output OUT] [--fill blur]
  Slicer ... --python-script deface_batch.py -- --dicom-folder DICOMDIR --output OUT
  Slicer ... --python-script deface_batch.py -- --dicom-database --output OUT

From Slicer's Python console (the module loaded):

  import sys; sys.path.append("/path/to/deface/Resources/Python"); import deface_batch
  rows = deface_batch.deface_folder("/data/scans", fill="blur"); deface_batch.print_summary(rows)

--folder          every NIfTI (.nii, .nii.gz) and NRRD (.nrrd, .nhdr) file of the folder (not its
                  subfolders; files already named DEFACED_* are skipped)
--dicom-database  every series of Slicer's current DICOM database (slicer.dicomDatabase)
--dicom-folder    imports a folder of DICOM files into a temporary database first
For each volume: DEFACED_<name>.nii.gz and DEFACED_<name>_label.nii.gz in --output (default:
beside the input file; required for DICOM). Inputs are never modified.

A summary table follows: one row per volume with its status (defaced, refused, error,
cancelled), seconds, and the output file or the reason Slicer reported. Exit status: 0 when every
volume was defaced; 1 when any was refused or failed, or none was found; 2 for a usage or setup
error (bad arguments, a missing folder, a failed DICOM import, the module not loaded, not inside
Slicer). Run as a script, it always ends with sys.exit, also after an unexpected error, so a
headless Slicer never stays open waiting.

Plain python3 can import it and show --help (Slicer is imported inside the functions).
"""
import argparse
import os
import re
import sys
import time
import traceback

VOLUME_SUFFIXES = (".nii.gz", ".nii", ".nrrd", ".nhdr")
EXIT_OK, EXIT_SOME_FAILED, EXIT_SETUP = 0, 1, 2


class SetupError(Exception):
    """A problem with the arguments or the environment, not with one volume (exit 2)."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog="deface_batch.py",
                                description="Deface volumes in Slicer with the FaceMasking module.")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--folder", help="deface every NIfTI/NRRD file of this folder")
    src.add_argument("--dicom-database", action="store_true",
                     help="deface every series of Slicer's DICOM database")
    src.add_argument("--dicom-folder", help="import this DICOM folder into a temporary database")
    p.add_argument("--output", help="folder for the DEFACED_ files (default: beside each input)")
    p.add_argument("--fill", choices=["zero", "blur", "noise"], default="zero")
    p.add_argument("--sigma", type=float, default=5.0, help="blur sigma in mm (default 5)")
    p.add_argument("--ears", action="store_true", help="also mask the ears")
    args = p.parse_args(argv)
    if (args.dicom_database or args.dicom_folder) and not args.output:
        p.error("DICOM input needs --output")
    if not 0.5 <= args.sigma <= 50:
        p.error("--sigma must be from 0.5 to 50 mm")
    return args


def safe_name(text):
    """A file-name-safe version of a volume or series name."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text or "").strip("._")
    return name or "volume"


def stem(path):
    base = os.path.basename(path)
    for suffix in VOLUME_SUFFIXES:
        if base.lower().endswith(suffix):
            return base[: -len(suffix)]
    return base


def folder_volumes(folder):
    """Volume files of a folder, sorted; DEFACED_ outputs are skipped."""
    names = sorted(os.listdir(folder))
    return [os.path.join(folder, n) for n in names
            if n.lower().endswith(VOLUME_SUFFIXES) and not n.startswith("DEFACED_")
            and os.path.isfile(os.path.join(folder, n))]


def facemasking_module():
    import slicer
    module = getattr(slicer.modules, "facemasking", None)
    if module is None:
        raise SetupError("the FaceMasking module is not loaded: install the FaceMasking extension, "
                         "or start Slicer with --additional-module-paths <folder holding "
                         "FaceMasking and FaceMasking.xml>")
    return module


def row(name, status, reason="", seconds=0.0, output=""):
    return {"name": name, "status": status, "reason": reason, "seconds": seconds, "output": output}


def failure_reason(cli):
    """The module's one-line reason from Slicer's error text (the text after 'FaceMasking: ...:')."""
    text = cli.GetErrorText() if hasattr(cli, "GetErrorText") else ""
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    ours = [l for l in lines if l.startswith("FaceMasking: ")]
    line = (ours or lines or ["FaceMasking failed without a message"])[-1]
    return re.sub(r"^FaceMasking: [^:]*(\([^)]*\))?: ", "", line)


def deface_node(volume_node, name, out_dir, fill="zero", sigma=5.0, ears=False):
    """Runs FaceMasking on one loaded scalar volume node and saves the results as
    DEFACED_<name>.nii.gz and DEFACED_<name>_label.nii.gz in out_dir. Returns a summary row.
    The input node is left as it was; the nodes made here are removed."""
    import slicer
    scene = slicer.mrmlScene
    out = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "DEFACED_" + name)
    label = scene.AddNewNodeByClass("vtkMRMLLabelMapVolumeNode", "DEFACED_" + name + "_label")
    cli = None
    try:
        params = {"inputVolume": volume_node, "outputVolume": out, "outputLabel": label,
                  "fill": fill, "sigma": sigma, "ears": ears}
        try:
            # update_display=False: no view resets and redraws per volume in a batch.
            cli = slicer.cli.runSync(facemasking_module(), None, params, update_display=False)
        except SetupError:
            raise
        except Exception as e:  # some Slicer versions raise when a CLI fails
            return row(name, "refused" if "refused" in str(e) else "error",
                       str(e).strip().splitlines()[-1] if str(e).strip() else repr(e))
        if cli is None:
            return row(name, "error", "Slicer did not run the FaceMasking module")
        status = cli.GetStatus()
        if status & cli.ErrorsMask:
            reason = failure_reason(cli)
            return row(name, "refused" if reason.startswith("refused") else "error", reason)
        if status == getattr(cli, "Cancelled", -1):
            return row(name, "cancelled", "cancelled")
        if cli.GetParameterAsString("status") != "defaced":
            return row(name, "error", "FaceMasking ended without reporting the volume defaced "
                                      f"(status {cli.GetParameterAsString('status')!r})")
        path = os.path.join(out_dir, "DEFACED_%s.nii.gz" % name)
        label_path = os.path.join(out_dir, "DEFACED_%s_label.nii.gz" % name)
        for node, target in ((out, path), (label, label_path)):
            if not slicer.util.saveNode(node, target):
                return row(name, "error", "Slicer could not save " + target)
        return row(name, "defaced", "eyes R (%s) L (%s)" % (cli.GetParameterAsString("rightEye"),
                                                            cli.GetParameterAsString("leftEye")),
                   output=path)
    finally:
        for node in (out, label, cli):
            if node is not None:
                scene.RemoveNode(node)


def timed(fn, *args, **kw):
    """fn's summary row with the seconds it took."""
    t0 = time.time()
    r = fn(*args, **kw)
    r["seconds"] = time.time() - t0
    return r


def load_volume(path):
    """The loaded node, or (None, reason): Slicer 5 raises, older versions return None."""
    import slicer
    try:
        node = slicer.util.loadVolume(path)
    except Exception as e:
        return None, str(e).strip() or "Slicer cannot load it"
    return (node, "") if node is not None else (None, "Slicer cannot load it")


def deface_folder(folder, output=None, fill="zero", sigma=5.0, ears=False):
    """Defaces every NIfTI/NRRD file of a folder; returns the summary rows."""
    import slicer
    if not os.path.isdir(folder):
        raise SetupError(f"{folder}: no such folder")
    rows = []
    for path in folder_volumes(folder):
        name = safe_name(stem(path))
        node, why = load_volume(path)
        if node is None:
            rows.append(row(name, "error", f"{os.path.basename(path)}: {why}"))
            continue
        try:
            out_dir = output or os.path.dirname(os.path.abspath(path))
            rows.append(timed(deface_node, node, name, out_dir, fill, sigma, ears))
        finally:
            slicer.mrmlScene.RemoveNode(node)
    return rows


def deface_dicom_database(database, output, fill="zero", sigma=5.0, ears=False):
    """Defaces every series of a DICOM database (e.g. slicer.dicomDatabase); returns the rows."""
    import slicer
    from DICOMLib import DICOMUtils
    rows = []
    for patient in database.patients():
        for study in database.studiesForPatient(patient):
            for series in database.seriesForStudy(study):
                description = database.descriptionForSeries(series) \
                    if hasattr(database, "descriptionForSeries") else ""
                name = safe_name("%s_%s" % (description, series[-12:]))
                try:
                    ids = DICOMUtils.loadSeriesByUID([series]) or []
                except Exception as e:
                    rows.append(row(name, "error", f"Slicer cannot load the series: {e}"))
                    continue
                nodes = [n for n in (slicer.mrmlScene.GetNodeByID(i) for i in ids) if n is not None]
                try:
                    volumes = [n for n in nodes if n.IsA("vtkMRMLScalarVolumeNode")
                               and not n.IsA("vtkMRMLLabelMapVolumeNode")]
                    if not volumes:
                        rows.append(row(name, "error", "no scalar volume loaded from this series"))
                    for k, volume in enumerate(volumes):
                        suffix = "" if len(volumes) == 1 else "_%d" % (k + 1)
                        rows.append(timed(deface_node, volume, name + suffix, output, fill, sigma,
                                          ears))
                finally:
                    for n in nodes:
                        slicer.mrmlScene.RemoveNode(n)
    return rows


def print_summary(rows, stream=sys.stdout):
    stream.write("%-40s %-9s %7s  %s\n" % ("volume", "status", "seconds", "output / reason"))
    for r in rows:
        stream.write("%-40s %-9s %7.1f  %s\n" % (r["name"][:40], r["status"], r["seconds"],
                                                  r["output"] or r["reason"]))
    counts = {}
    for r in rows:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    parts = ", ".join(f"{counts[s]} {s}" for s in ("defaced", "refused", "error", "cancelled")
                      if s in counts)
    stream.write(f"deface_batch: {len(rows)} volumes: {parts or 'none found'}\n")
    stream.flush()


def main(argv=None):
    """Runs the batch; returns the exit status (see the module's text)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    args = parse_args(argv)  # argparse exits 2 on bad arguments, 0 after --help
    try:
        import slicer  # noqa: F401
    except ImportError:
        sys.stderr.write("deface_batch.py: run it inside 3D Slicer (see --help)\n")
        return EXIT_SETUP
    opts = dict(fill=args.fill, sigma=args.sigma, ears=args.ears)
    try:
        facemasking_module()
        if args.output:
            try:
                os.makedirs(args.output, exist_ok=True)
            except OSError as e:
                raise SetupError(f"{args.output}: cannot create the output folder: {e.strerror}")
        if args.folder:
            rows = deface_folder(args.folder, args.output, **opts)
        elif args.dicom_folder:
            from DICOMLib import DICOMUtils
            if not os.path.isdir(args.dicom_folder):
                raise SetupError(f"{args.dicom_folder}: no such folder")
            with DICOMUtils.TemporaryDICOMDatabase() as database:
                if not DICOMUtils.importDicom(args.dicom_folder, database):
                    raise SetupError(f"{args.dicom_folder}: Slicer's DICOM import failed")
                rows = deface_dicom_database(database, args.output, **opts)
        else:
            if not slicer.dicomDatabase or not slicer.dicomDatabase.isOpen:
                raise SetupError("Slicer's DICOM database is not open")
            rows = deface_dicom_database(slicer.dicomDatabase, args.output, **opts)
    except SetupError as e:
        sys.stderr.write(f"deface_batch.py: {e}\n")
        return EXIT_SETUP
    print_summary(rows)
    return EXIT_OK if rows and all(r["status"] == "defaced" for r in rows) else EXIT_SOME_FAILED


def run_as_script():
    """--python-script does not end Slicer by itself, and an uncaught exception would leave a
    headless Slicer running: whatever happens, end with sys.exit and a status."""
    status = EXIT_SOME_FAILED
    try:
        status = main()
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        status = e.code if isinstance(e.code, int) else EXIT_SETUP
    except BaseException:
        traceback.print_exc()
        sys.stderr.write("deface_batch.py: stopped by an unexpected error (above)\n")
        status = EXIT_SOME_FAILED
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.exit(status)


if __name__ == "__main__":
    run_as_script()
