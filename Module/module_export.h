/*
 * module_export.h - how the module marks the two symbols Slicer looks up in
 * the loadable library (ModuleEntryPoint, XMLModuleDescription). Everything
 * else is compiled with hidden visibility, so the library exports these two
 * and nothing else, on ELF and on Windows alike (no linker version script).
 */
#ifndef FM_MODULE_EXPORT_H
#define FM_MODULE_EXPORT_H

#if defined(_WIN32)
#define FM_EXPORT __declspec(dllexport)
#else
#define FM_EXPORT __attribute__((visibility("default")))
#endif

#endif /* FM_MODULE_EXPORT_H */
