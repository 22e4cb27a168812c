#!/usr/bin/env python3
"""check_batch_script.py deface_batch.py - the Slicer batch script, run as Slicer's --python-script
runs it (as __main__, arguments after "--"), against a stand-in of the parts of Slicer's Python API
it uses (slicer.util.loadVolume/saveNode, slicer.cli.runSync, slicer.mrmlScene, the CLI node's
status and error text, DICOMLib.DICOMUtils). The stand-in answers by file name: a "refused" scan
gets Slicer's "Completed with errors" with the module's refusal line as error text, a "broken"
one a failed run, an "unreadable" one a failed load, a "boom" one an exception from runSync.

Checks: every run ends in sys.exit with the documented status (also after an unexpected
exception, which a headless Slicer would otherwise sit on); runSync is always called with
update_display=False; outputs are saved as DEFACED_<name>(.nii.gz, _label.nii.gz) and only for
defaced volumes; every node the script made or loaded is removed; the summary names each volume's
status and reason; a missing folder, a failed DICOM import (importDicom returning False), a
missing module and bad arguments are setup errors (exit 2) that say what is wrong; plain python3
gets exit 2 and a message; the helpers name outputs as documented.
"""
import contextlib
import io
import os
import runpy
import subprocess
import sys
import tempfile
import types

sys.dont_write_bytecode = True  # importing the script must leave no __pycache__ in the sources
sys.path.insert(0, os.path.dirname(__file__))
from slicer_testlib import check, finish

SCRIPT = sys.argv[1]


class Node:
    def __init__(self, scene, cls, name):
        self.cls, self.name, self.id = cls, name, f"{cls}{len(scene.ever) + 1}"
        scene.ever.append(self)

    def IsA(self, cls):
        return self.cls == cls or (cls == "vtkMRMLScalarVolumeNode"
                                   and self.cls == "vtkMRMLLabelMapVolumeNode")

    def GetID(self):
        return self.id


class Scene:
    def __init__(self):
        self.nodes, self.ever = {}, []

    def AddNewNodeByClass(self, cls, name=""):
        n = Node(self, cls, name)
        self.nodes[n.id] = n
        return n

    def RemoveNode(self, node):
        self.nodes.pop(node.id, None)

    def GetNodeByID(self, i):
        return self.nodes.get(i)


class CliNode(Node):
    Completed, Cancelled, ErrorsMask = 0x20, 0x08, 0x40
    CompletedWithErrors = Completed | ErrorsMask

    def __init__(self, scene, status, error_text="", params=None):
        super().__init__(scene, "vtkMRMLCommandLineModuleNode", "Face Masking (Deface)")
        self.status, self.error_text, self.params = status, error_text, params or {}

    def GetStatus(self):
        return self.status

    def GetErrorText(self):
        return self.error_text

    def GetParameterAsString(self, name):
        return self.params.get(name, "")


def make_slicer(with_module=True, import_ok=True, series=2, patients_raise=False):
    """The stand-in `slicer` and `DICOMLib` modules, and a record of what the script did."""
    log = {"update_display": [], "saved": [], "loaded": []}
    scene = Scene()
    slicer = types.ModuleType("slicer")
    slicer.mrmlScene = scene
    slicer.modules = types.SimpleNamespace(**({"facemasking": object()} if with_module else {}))

    def loadVolume(path):
        log["loaded"].append(path)
        if "unreadable" in path:
            raise RuntimeError(f"Failed to load volume from {path}")
        node = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", os.path.basename(path))
        node.path = path
        return node

    def saveNode(node, path):
        log["saved"].append(os.path.basename(path))
        with open(path, "w") as f:
            f.write(node.name)
        return True

    def runSync(module, node=None, parameters=None, delete_temporary_files=True,
                update_display=True):
        log["update_display"].append(update_display)
        source = os.path.basename(getattr(parameters["inputVolume"], "path",
                                          parameters["inputVolume"].name))
        who = f"input volume (Slicer node {parameters['inputVolume'].id})"
        if "boom" in source:
            raise RuntimeError("the stand-in's runSync fails unexpectedly")
        if "refused" in source:
            return CliNode(scene, CliNode.CompletedWithErrors,
                           f"FaceMasking: {who}: refused, nothing written: the face is not in "
                           "the field of view\n")
        if "broken" in source:
            return CliNode(scene, CliNode.CompletedWithErrors,
                           f"FaceMasking: {who}: cannot read it: truncated: 12 of 24 bytes\n")
        return CliNode(scene, CliNode.Completed, "", {
            "status": "defaced", "reason": "", "rightEye": "35.2,61.8,-37.9",
            "leftEye": "-34.4,61.4,-37"})

    slicer.util = types.SimpleNamespace(loadVolume=loadVolume, saveNode=saveNode)
    slicer.cli = types.SimpleNamespace(runSync=runSync)

    class Database:
        isOpen = True

        def patients(self):
            if patients_raise:
                raise RuntimeError("the stand-in's DICOM database fails unexpectedly")
            return ["P1"]

        def studiesForPatient(self, p):
            return ["S1"]

        def seriesForStudy(self, s):
            return [f"1.2.3.4.5.{k}" for k in range(series)]

        def descriptionForSeries(self, uid):
            return "T1 MPRAGE"

    slicer.dicomDatabase = Database()

    @contextlib.contextmanager
    def TemporaryDICOMDatabase():
        yield Database()

    def importDicom(folder, database=None):
        log["imported"] = folder
        return import_ok

    def loadSeriesByUID(uids):
        node = scene.AddNewNodeByClass("vtkMRMLScalarVolumeNode", uids[0])
        return [node.id]

    dicomlib = types.ModuleType("DICOMLib")
    dicomlib.DICOMUtils = types.SimpleNamespace(
        TemporaryDICOMDatabase=TemporaryDICOMDatabase, importDicom=importDicom,
        loadSeriesByUID=loadSeriesByUID)
    return slicer, dicomlib, log, scene


def run_in_slicer(args, **standin):
    """Runs the script as Slicer's --python-script does; returns (exit code or None when it
    did not end with sys.exit, stdout, stderr, log, scene)."""
    slicer, dicomlib, log, scene = make_slicer(**standin)
    saved_modules = {k: sys.modules.get(k) for k in ("slicer", "DICOMLib")}
    sys.modules["slicer"], sys.modules["DICOMLib"] = slicer, dicomlib
    saved_argv = sys.argv
    sys.argv = [SCRIPT, "--"] + args
    out, err = io.StringIO(), io.StringIO()
    code = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            runpy.run_path(SCRIPT, run_name="__main__")
    except SystemExit as e:
        code = e.code
    except BaseException as e:  # the script let an exception escape: Slicer would hang
        err.write(f"ESCAPED: {e!r}\n")
    finally:
        sys.argv = saved_argv
        for k, v in saved_modules.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    print(f"$ deface_batch.py -- {' '.join(args)} -> exit {code}\n{out.getvalue()}{err.getvalue()}")
    return code, out.getvalue(), err.getvalue(), log, scene


def touch(folder, *names):
    os.makedirs(folder, exist_ok=True)
    for n in names:
        open(os.path.join(folder, n), "w").close()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        # A folder with a good scan, a refused one, a broken one, an unreadable one, an earlier
        # output and a text file.
        scans = os.path.join(tmp, "scans")
        touch(scans, "a good.nrrd", "b_refused.nii.gz", "c_broken.nrrd", "d_unreadable.nii",
              "DEFACED_a.nii.gz", "notes.txt")
        out = os.path.join(tmp, "out")
        code, stdout, stderr, log, scene = run_in_slicer(["--folder", scans, "--output", out,
                                                         "--fill", "blur"])
        check(code == 1, f"a folder with refusals and failures ends with sys.exit(1) ({code})")
        check(log["update_display"] == [False, False, False],
              f"runSync with update_display=False for each loaded volume ({log['update_display']})")
        check(sorted(os.listdir(out)) == ["DEFACED_a_good.nii.gz", "DEFACED_a_good_label.nii.gz"],
              f"only the defaced volume is saved, as DEFACED_<name> ({sorted(os.listdir(out))})")
        check(not scene.nodes, f"every node made or loaded is removed ({list(scene.nodes)})")
        lines = {l.split()[0]: l for l in stdout.splitlines() if l.split()}
        check("defaced" in lines.get("a_good", "") and "out/DEFACED_a_good.nii.gz" in lines["a_good"],
              "summary: a_good defaced, with its output")
        check("refused" in lines.get("b_refused", "") and
              "the face is not in the field of view" in lines["b_refused"],
              "summary: b_refused refused, with the module's reason from the error text")
        check("error" in lines.get("c_broken", "") and "truncated" in lines["c_broken"],
              "summary: c_broken an error, with the reason")
        check("error" in lines.get("d_unreadable", "") and "Failed to load" in lines["d_unreadable"],
              "summary: d_unreadable an error: Slicer could not load it")
        check("deface_batch: 4 volumes: 1 defaced, 1 refused, 2 error" in stdout,
              "the summary counts each status")
        check(not any("DEFACED_a.nii.gz" in p or "notes" in p for p in log["loaded"]),
              "earlier outputs and other files are not loaded")

        good = os.path.join(tmp, "good")
        touch(good, "x.nrrd", "y.nii.gz")
        code, stdout, *_ = run_in_slicer(["--folder", good])
        check(code == 0 and os.path.exists(os.path.join(good, "DEFACED_y_label.nii.gz")),
              f"all defaced: sys.exit(0), outputs beside the inputs ({code})")

        code, _, stderr, *_ = run_in_slicer(["--folder", os.path.join(tmp, "nowhere")])
        check(code == 2 and "nowhere: no such folder" in stderr,
              f"a missing folder: sys.exit(2) naming it ({code})")

        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        code, stdout, *_ = run_in_slicer(["--folder", empty])
        check(code == 1 and "none found" in stdout, f"no volume found: sys.exit(1) ({code})")

        dicom = os.path.join(tmp, "dicom")
        os.makedirs(dicom)
        code, _, stderr, log, _ = run_in_slicer(["--dicom-folder", dicom, "--output", out],
                                                import_ok=False)
        check(code == 2 and "DICOM import failed" in stderr and log.get("imported") == dicom,
              f"importDicom returning False: sys.exit(2) saying so ({code})")
        code, stdout, _, log, scene = run_in_slicer(["--dicom-folder", dicom, "--output", out])
        check(code == 0 and "T1_MPRAGE_1.2.3.4.5.0" in stdout and "T1_MPRAGE_1.2.3.4.5.1" in stdout
              and not scene.nodes, f"DICOM: each series defaced and named, nodes removed ({code})")
        code, _, stderr, *_ = run_in_slicer(["--dicom-database", "--output", out],
                                            patients_raise=True)
        check(code == 1 and "unexpected error" in stderr and "Traceback" in stderr,
              f"an unexpected exception still ends with sys.exit(1) and its traceback ({code})")

        mixed = os.path.join(tmp, "mixed")
        touch(mixed, "boom.nrrd", "z.nrrd")
        code, stdout, *_ = run_in_slicer(["--folder", mixed])
        z = [l for l in stdout.splitlines() if l.startswith("z ")]
        check(code == 1 and "unexpectedly" in stdout and z and "defaced" in z[0],
              f"runSync raising for one volume: that volume is an error, the rest go on ({code})")

        code, _, stderr, *_ = run_in_slicer(["--folder", good], with_module=False)
        check(code == 2 and "FaceMasking module is not loaded" in stderr,
              f"the module not loaded: sys.exit(2) saying how to load it ({code})")
        code, _, stderr, *_ = run_in_slicer(["--folder", good, "--sigma", "0"])
        check(code == 2 and "--sigma" in stderr, f"a bad argument: sys.exit(2) ({code})")
        code, stdout, *_ = run_in_slicer(["--help"])
        check(code == 0 and "--dicom-database" in stdout, f"--help: sys.exit(0) ({code})")

        # Without Slicer: plain python3
        r = subprocess.run([sys.executable, SCRIPT, "--", "--folder", tmp], capture_output=True,
                           text=True)
        check(r.returncode == 2 and "inside 3D Slicer" in r.stderr,
              f"outside Slicer: exit 2 with a message (got {r.returncode})")
        # Importable from a console without running anything; output names.
        sys.path.insert(0, os.path.dirname(os.path.abspath(SCRIPT)))
        import deface_batch as mod
        touch(tmp, "a.nii.gz", "b.nii", "c.nrrd", "DEFACED_a.nii.gz", "notes.txt")
        found = [os.path.basename(p) for p in mod.folder_volumes(tmp)]
        check(found == ["a.nii.gz", "b.nii", "c.nrrd"],
              f"folder_volumes picks NIfTI/NRRD, skips DEFACED_ ({found})")
        check(mod.stem("/x/T1 w.nii.gz") == "T1 w" and mod.safe_name("T1 w/3D") == "T1_w_3D",
              "output names: stem and safe_name")
    return finish()


if __name__ == "__main__":
    sys.exit(main())
