/*
 * module_process_info.h - the progress/abort block Slicer hands to a CLI
 * module loaded in its process (`--processinformationaddress 0x...`).
 * The layout must stay exactly Slicer's ModuleProcessInformation
 * (SlicerExecutionModel/ModuleDescriptionParser/ModuleProcessInformation.h);
 * Slicer allocates it, the module only writes the progress fields and reads
 * Abort.
 */
#ifndef FM_MODULE_PROCESS_INFO_H
#define FM_MODULE_PROCESS_INFO_H

typedef struct ModuleProcessInformation {
  unsigned char Abort; /* set to 1 by Slicer when the user presses Cancel */
  float Progress;      /* 0..1, overall */
  float StageProgress; /* 0..1, current stage */
  char ProgressMessage[1024];
  void (*ProgressCallbackFunction)(void *);
  void *ProgressCallbackClientData;
  double ElapsedTime;
} ModuleProcessInformation;

#endif /* FM_MODULE_PROCESS_INFO_H */
