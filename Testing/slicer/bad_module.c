/*
 * bad_module.c - a loadable "module" that binds to ITK by name, the way the
 * FaceMasking library did when it linked Debian's ITK: it calls
 * itk::ObjectFactoryBase::CreateInstance(const char *) without defining it.
 * The in-process test loads it into the host that holds Slicer's stand-in
 * symbols, to prove that the host catches such a binding (it must stop with
 * the stand-in's exit code 99).
 */
#if defined(_WIN32)
#define EXPORT __declspec(dllexport)
#else
#define EXPORT __attribute__((visibility("default")))
#endif

/* The mangled C++ name, as a C function: only its binding matters here. */
void _ZN3itk17ObjectFactoryBase14CreateInstanceEPKc(const char *name);

EXPORT char XMLModuleDescription[] = "<?xml version=\"1.0\"?><executable></executable>";

EXPORT int ModuleEntryPoint(int argc, char *argv[])
{
  (void)argc;
  (void)argv;
  _ZN3itk17ObjectFactoryBase14CreateInstanceEPKc("NrrdImageIO");
  return 0;
}
