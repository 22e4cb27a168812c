/*
 * module_main.c - the FaceMasking executable of the Debian build: Slicer runs
 * it with the arguments SLICER_CLI.md describes; all the work is in
 * ModuleEntryPoint (module_entry.c), shared with libFaceMaskingLib.
 */
int ModuleEntryPoint(int argc, char *argv[]);

int main(int argc, char *argv[])
{
  return ModuleEntryPoint(argc, argv);
}
