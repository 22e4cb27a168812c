/*
 * dicom_dcmtk.h - C++-only helpers shared by the adapter's dcmtk files.
 */
#ifndef DEFACE_DICOM_DCMTK_H
#define DEFACE_DICOM_DCMTK_H

/** Registers dcmtk's decoders and silences its logger, once per process;
 * safe to call from several threads. Never throws. */
void dicom_dcmtk_init() noexcept;

#endif
