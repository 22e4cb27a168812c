/*
 * module_main.c - the FaceMasking executable: Slicer runs it with the
 * arguments SLICER_CLI.md describes; all the work is in ModuleEntryPoint.
 */
int ModuleEntryPoint(int argc, char *argv[]);

int main(int argc, char *argv[])
{
  return ModuleEntryPoint(argc, argv);
}
