/*
 * image_geometry.cxx - prints what ITK reads from an image's header (and,
 * with --count, the voxels that are not zero), for the Slicer module tests
 * to compare the module's outputs with its input. Uses ITK's own ImageIO
 * factory, not the module's adapter, so the check does not share the code
 * it checks.
 *
 *   image_geometry FILE [--count]
 */
#include "itkImageIOBase.h"
#include "itkImageIOFactory.h"
#include "itkMetaImageIOFactory.h"
#include "itkNiftiImageIOFactory.h"
#include "itkNrrdImageIOFactory.h"

#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char *argv[])
{
  if (argc < 2) {
    std::fprintf(stderr, "usage: image_geometry FILE [--count]\n");
    return 2;
  }
  itk::NrrdImageIOFactory::RegisterOneFactory();
  itk::NiftiImageIOFactory::RegisterOneFactory();
  itk::MetaImageIOFactory::RegisterOneFactory();
  try {
    itk::ImageIOBase::Pointer io =
        itk::ImageIOFactory::CreateImageIO(argv[1], itk::IOFileModeEnum::ReadMode);
    if (!io) {
      std::fprintf(stderr, "image_geometry: %s: no ITK ImageIO reads it\n", argv[1]);
      return 1;
    }
    io->SetFileName(argv[1]);
    io->ReadImageInformation();
    unsigned int nd = io->GetNumberOfDimensions();
    std::printf("io %s\ndimension %u\ncomponent %s\npixel %s\nsize", io->GetNameOfClass(), nd,
                itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()).c_str(),
                itk::ImageIOBase::GetPixelTypeAsString(io->GetPixelType()).c_str());
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
    if (argc > 2 && std::strcmp(argv[2], "--count") == 0) {
      std::vector<unsigned char> buf(io->GetImageSizeInBytes());
      itk::ImageIORegion region(nd);
      for (unsigned int a = 0; a < nd; a++) {
        region.SetIndex(a, 0);
        region.SetSize(a, io->GetDimensions(a));
      }
      io->SetIORegion(region);
      io->Read(buf.data());
      size_t bytes = io->GetComponentSize(), nonzero = 0;
      for (size_t i = 0; i + bytes <= buf.size(); i += bytes) {
        bool any = false;
        for (size_t b = 0; b < bytes; b++)
          any = any || buf[i + b] != 0;
        nonzero += any;
      }
      std::printf("nonzero %zu\n", nonzero);
    }
  } catch (const itk::ExceptionObject &e) {
    std::fprintf(stderr, "image_geometry: %s: %s\n", argv[1], e.GetDescription());
    return 1;
  }
  return 0;
}
