/*
 * module_process_info.h - the progress/abort block Slicer hands to a CLI
 * module loaded in its process (`--processinformationaddress 0x...`).
 * The layout must stay exactly Slicer's ModuleProcessInformation
 * (SlicerExecutionModel/ModuleDescriptionParser/ModuleProcessInformation.h);
 * it has its own name here so that the extension build, which also includes
 * SlicerExecutionModel's C++ declaration, can pass one for the other
 * (FaceMasking.cxx checks the offsets). Slicer allocates it, the module only
 * writes the progress fields and reads Abort.
 */
#ifndef FM_MODULE_PROCESS_INFO_H
#define FM_MODULE_PROCESS_INFO_H

typedef struct fm_process_info {
  unsigned char Abort; /* set to 1 by Slicer when the user presses Cancel */
  float Progress;      /* 0..1, overall */
  float StageProgress; /* 0..1, current stage */
  char ProgressMessage[1024];
  void (*ProgressCallbackFunction)(void *);
  void *ProgressCallbackClientData;
  double ElapsedTime;
} fm_process_info;

#endif /* FM_MODULE_PROCESS_INFO_H */
