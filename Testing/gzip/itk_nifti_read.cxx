/*
 * itk_nifti_read - reads a NIfTI file with ITK's own NiftiImageIO (which
 * inflates .nii.gz through its own zlib, not deface's code) and prints what
 * it read: the component type, size, spacing, origin and direction (ITK's
 * LPS), and writes the voxels as ITK delivers them to RAW, for gz_check.py to
 * compare with nibabel's and with the zlib-written file's.
 *
 *   itk_nifti_read FILE RAW
 */
#include "itkImageIOBase.h"
#include "itkNiftiImageIO.h"

#include <cstdio>
#include <vector>

int main(int argc, char *argv[])
{
  if (argc != 3) {
    std::fprintf(stderr, "usage: itk_nifti_read FILE RAW\n");
    return 2;
  }
  try {
    itk::NiftiImageIO::Pointer io = itk::NiftiImageIO::New();
    if (!io->CanReadFile(argv[1])) {
      std::fprintf(stderr, "itk_nifti_read: %s: ITK's NiftiImageIO cannot read it\n", argv[1]);
      return 1;
    }
    io->SetFileName(argv[1]);
    io->ReadImageInformation();
    unsigned int nd = io->GetNumberOfDimensions();
    std::printf("component %s\nsize",
                itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()).c_str());
    for (unsigned int a = 0; a < nd; a++)
      std::printf(" %llu", static_cast<unsigned long long>(io->GetDimensions(a)));
    std::printf("\nspacing");
    for (unsigned int a = 0; a < nd; a++)
      std::printf(" %.17g", io->GetSpacing(a));
    std::printf("\norigin");
    for (unsigned int a = 0; a < nd; a++)
      std::printf(" %.17g", io->GetOrigin(a));
    std::printf("\ndirection");
    for (unsigned int a = 0; a < nd; a++)
      for (double d : io->GetDirection(a))
        std::printf(" %.17g", d);
    std::printf("\n");
    std::vector<unsigned char> buf(io->GetImageSizeInBytes());
    itk::ImageIORegion region(nd);
    for (unsigned int a = 0; a < nd; a++) {
      region.SetIndex(a, 0);
      region.SetSize(a, io->GetDimensions(a));
    }
    io->SetIORegion(region);
    io->Read(buf.data());
    std::FILE *f = std::fopen(argv[2], "wb");
    if (!f || std::fwrite(buf.data(), 1, buf.size(), f) != buf.size() || std::fclose(f) != 0) {
      std::fprintf(stderr, "itk_nifti_read: %s: cannot write\n", argv[2]);
      return 1;
    }
  } catch (const itk::ExceptionObject &e) {
    std::fprintf(stderr, "itk_nifti_read: %s: %s\n", argv[1], e.GetDescription());
    return 1;
  }
  return 0;
}
