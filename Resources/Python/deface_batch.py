#!/usr/bin/env python3
"""Deface many volumes in 3D Slicer with the FaceMasking CLI module.

Headless (the module folder is where FaceMasking, libFaceMaskingLib.so and FaceMasking.xml lie,
e.g. <build>/cli-modules or <prefix>/lib/deface/cli-modules):

  Slicer --no-splash --no-main-window --additional-module-paths DIR \\
         --python-script deface_batch.py -- --folder SCANS [--output OUT] [--fill blur]
  Slicer ... --python-script deface_batch.py -- --dicom-folder DICOMDIR --output OUT
  Slicer ... --python-script deface_batch.py -- --dicom-database --output OUT

From Slicer's Python console (the module loaded):

  import sys; sys.path.append("/path/to/deface/Resources/Python"); import deface_batch
  rows = deface_batch.deface_folder("/data/scans", fill="blur")

--folder     every NIfTI (.nii, .nii.gz) and NRRD (.nrrd, .nhdr) file of the folder (not its
             subfolders; files already named DEFACED_* are skipped)
--dicom-database  every series of Slicer's current DICOM database (slicer.dicomDatabase)
--dicom-folder    imports a folder of DICOM files into a temporary database first
For each volume: DEFACED_<name>.nii.gz and DEFACED_<name>_label.nii.gz in --output (default:
beside the input file; required for DICOM). A summary table follows; the exit status is 1 when
any volume was not defaced (refused or failed), 0 otherwise. Inputs are never modified.

Runs only inside Slicer; plain python3 can import it and show --help (Slicer is imported inside
the functions).
"""
import argparse
import os
import re
import sys
import time

VOLUME_SUFFIXES = (".nii.gz", ".nii", ".nrrd", ".nhdr")


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
        raise RuntimeError("the FaceMasking module is not loaded: start Slicer with "
                           "--additional-module-paths <folder holding FaceMasking and its .xml>")
    return module


def deface_node(volume_node, name, out_dir, fill="zero", sigma=5.0, ears=False):
    """Runs FaceMasking on one loaded scalar volume node and saves the results.
    Returns a summary row (dict). The input node is left as it was."""
    import slicer
    row = {"name": name, "status": "error", "reason": "", "seconds": 0.0, "output": ""}
    t0 = time.time()
    scene = slicer.mrmlScene
    out = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", "DEFACED_" + name)
    label = scene.AddNewNodeByClass("vtkMRMLLabelMapVolumeNode", "DEFACED_" + name + "_label")
    cli = None
    try:
        params = {"inputVolume": volume_node, "outputVolume": out, "outputLabel": label,
                  "fill": fill, "sigma": sigma, "ears": ears}
        try:
            cli = slicer.cli.runSync(facemasking_module(), None, params)
        except Exception as e:  # some Slicer versions raise when the module fails
            row["reason"] = str(e)
            return row
        status = cli.GetParameterAsString("status")
        reason = cli.GetParameterAsString("reason")
        if cli.GetStatus() & cli.ErrorsMask:
            text = cli.GetErrorText() if hasattr(cli, "GetErrorText") else ""
            row["status"] = "refused" if status == "refused" or "refused" in text else "error"
            row["reason"] = reason or (text.strip().splitlines() or ["FaceMasking failed"])[-1]
            return row
        path = os.path.join(out_dir, "DEFACED_%s.nii.gz" % name)
        label_path = os.path.join(out_dir, "DEFACED_%s_label.nii.gz" % name)
        if not slicer.util.saveNode(out, path) or not slicer.util.saveNode(label, label_path):
            row["reason"] = "cannot save %s or %s" % (path, label_path)
            return row
        row.update(status="defaced", output=path,
                   reason="eyes R (%s) L (%s)" % (cli.GetParameterAsString("rightEye"),
                                                  cli.GetParameterAsString("leftEye")))
        return row
    finally:
        row["seconds"] = time.time() - t0
        for node in (out, label, cli):
            if node is not None:
                scene.RemoveNode(node)


def deface_folder(folder, output=None, fill="zero", sigma=5.0, ears=False):
    """Defaces every NIfTI/NRRD file of a folder; returns the summary rows."""
    import slicer
    rows = []
    for path in folder_volumes(folder):
        name = safe_name(stem(path))
        try:
            node = slicer.util.loadVolume(path)
        except Exception as e:  # Slicer 5 raises when a file cannot be loaded
            node, error = None, str(e)
        else:
            error = "Slicer cannot load it"
        if node is None:
            rows.append({"name": name, "status": "error", "reason": error, "seconds": 0.0,
                         "output": ""})
            continue
        out_dir = output or os.path.dirname(os.path.abspath(path))
        rows.append(deface_node(node, name, out_dir, fill, sigma, ears))
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
                    ids = DICOMUtils.loadSeriesByUID([series])
                except Exception as e:
                    rows.append({"name": name, "status": "error", "reason": str(e),
                                 "seconds": 0.0, "output": ""})
                    continue
                nodes = [slicer.mrmlScene.GetNodeByID(i) for i in ids or []]
                volumes = [n for n in nodes if n is not None
                           and n.IsA("vtkMRMLScalarVolumeNode")
                           and not n.IsA("vtkMRMLLabelMapVolumeNode")]
                if not volumes:
                    rows.append({"name": name, "status": "error", "output": "", "seconds": 0.0,
                                 "reason": "no scalar volume loaded from this series"})
                for k, volume in enumerate(volumes):
                    suffix = "" if len(volumes) == 1 else "_%d" % (k + 1)
                    rows.append(deface_node(volume, name + suffix, output, fill, sigma, ears))
                for n in nodes:
                    if n is not None:
                        slicer.mrmlScene.RemoveNode(n)
    return rows


def print_summary(rows, stream=sys.stdout):
    stream.write("%-40s %-8s %7s  %s\n" % ("volume", "status", "seconds", "output / reason"))
    for r in rows:
        stream.write("%-40s %-8s %7.1f  %s\n" % (r["name"][:40], r["status"], r["seconds"],
                                                  r["output"] or r["reason"]))
    done = sum(1 for r in rows if r["status"] == "defaced")
    stream.write("%d of %d defaced\n" % (done, len(rows)))


def main(argv=None):
    """Runs the batch; returns the exit status (1 when any volume was not defaced)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    args = parse_args(argv)
    try:
        import slicer  # noqa: F401
    except ImportError:
        sys.stderr.write("deface_batch.py: run it inside 3D Slicer (see --help)\n")
        return 2
    if args.output:
        os.makedirs(args.output, exist_ok=True)
    opts = dict(fill=args.fill, sigma=args.sigma, ears=args.ears)
    if args.folder:
        rows = deface_folder(args.folder, args.output, **opts)
    elif args.dicom_folder:
        from DICOMLib import DICOMUtils
        with DICOMUtils.TemporaryDICOMDatabase() as database:
            DICOMUtils.importDicom(args.dicom_folder, database)
            rows = deface_dicom_database(database, args.output, **opts)
    else:
        import slicer
        if not slicer.dicomDatabase or not slicer.dicomDatabase.isOpen:
            sys.stderr.write("deface_batch.py: Slicer's DICOM database is not open\n")
            return 2
        rows = deface_dicom_database(slicer.dicomDatabase, args.output, **opts)
    print_summary(rows)
    return 0 if rows and all(r["status"] == "defaced" for r in rows) else 1


if __name__ == "__main__":
    # --python-script does not exit Slicer by itself.
    sys.exit(main())
