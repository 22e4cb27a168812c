/*
 * itk_image_io.cxx - NIfTI and MetaImage in and out of deface_volume through
 * ITK's ImageIO classes (see itk_image_io.h).
 *
 * The ImageIO objects are created directly, by the file's extension and
 * content, rather than through ITK's object factory: nothing is registered
 * process-wide, which matters when this code runs inside Slicer's process,
 * and no template is instantiated, which keeps this one compile unit small.
 * ITK's voxel order (first axis fastest) is the core's, so voxels are read
 * straight into the deface_volume's buffer.
 */
#include "itk_image_io.h"

#include "itkImageIOBase.h"
#include "itkMetaImageIO.h"
#include "itkNiftiImageIO.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>

struct fm_itk_header {
  size_t size[3];
  double spacing[3], origin[3];
  double direction[3][3]; /* direction[row][axis]: column `axis` is that axis's LPS unit vector */
  unsigned int file_dims; /* 2 or 3, as in the file */
};

namespace
{

using IOComponent = itk::IOComponentEnum;

void set_err(char *err, const std::string &text)
{
  if (err)
    std::snprintf(err, DEFACE_ERRLEN, "%s", text.c_str());
}

bool ends_with(const std::string &s, const char *suffix)
{
  size_t n = std::strlen(suffix);
  if (s.size() < n)
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[s.size() - n + i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != suffix[i])
      return false;
  }
  return true;
}

bool is_nifti_name(const std::string &path)
{
  return ends_with(path, ".nii") || ends_with(path, ".nii.gz") || ends_with(path, ".hdr") ||
         ends_with(path, ".img") || ends_with(path, ".img.gz");
}

bool is_meta_name(const std::string &path)
{
  return ends_with(path, ".mha") || ends_with(path, ".mhd");
}

/* The ImageIO for a file name, by extension; NULL when none matches. */
itk::ImageIOBase::Pointer io_for_name(const std::string &path)
{
  if (is_nifti_name(path)) {
    itk::NiftiImageIO::Pointer io = itk::NiftiImageIO::New();
    return io.GetPointer();
  }
  if (is_meta_name(path)) {
    itk::MetaImageIO::Pointer io = itk::MetaImageIO::New();
    return io.GetPointer();
  }
  return nullptr;
}

bool datatype_of(IOComponent c, deface_datatype *dt)
{
  switch (c) {
  case IOComponent::UCHAR:
    *dt = DEFACE_UINT8;
    return true;
  case IOComponent::CHAR:
    *dt = DEFACE_INT8;
    return true;
  case IOComponent::SHORT:
    *dt = DEFACE_INT16;
    return true;
  case IOComponent::USHORT:
    *dt = DEFACE_UINT16;
    return true;
  case IOComponent::INT:
    *dt = DEFACE_INT32;
    return true;
  case IOComponent::UINT:
    *dt = DEFACE_UINT32;
    return true;
  case IOComponent::FLOAT:
    *dt = DEFACE_FLOAT32;
    return true;
  case IOComponent::DOUBLE:
    *dt = DEFACE_FLOAT64;
    return true;
  default:
    return false;
  }
}

IOComponent component_of(deface_datatype dt)
{
  switch (dt) {
  case DEFACE_UINT8:
    return IOComponent::UCHAR;
  case DEFACE_INT8:
    return IOComponent::CHAR;
  case DEFACE_INT16:
    return IOComponent::SHORT;
  case DEFACE_UINT16:
    return IOComponent::USHORT;
  case DEFACE_INT32:
    return IOComponent::INT;
  case DEFACE_UINT32:
    return IOComponent::UINT;
  case DEFACE_FLOAT32:
    return IOComponent::FLOAT;
  case DEFACE_FLOAT64:
    return IOComponent::DOUBLE;
  }
  return IOComponent::UNKNOWNCOMPONENTTYPE;
}

/* voxel -> LPS is origin + D diag(s) ijk; RAS flips the first two rows. */
void voxel_to_ras(const fm_itk_header &h, double m[4][4])
{
  static const double flip[3] = {-1.0, -1.0, 1.0};
  for (int r = 0; r < 3; r++) {
    for (int c = 0; c < 3; c++)
      m[r][c] = flip[r] * h.direction[r][c] * h.spacing[c];
    m[r][3] = flip[r] * h.origin[r];
  }
  m[3][0] = m[3][1] = m[3][2] = 0.0;
  m[3][3] = 1.0;
}

/* Fills the header from the ImageIO; refuses what the core cannot take. */
deface_status header_from_io(const std::string &path, itk::ImageIOBase *io, fm_itk_header *h,
                             deface_datatype *dt, char *err)
{
  unsigned int nd = io->GetNumberOfDimensions();
  if (io->GetPixelType() != itk::IOPixelEnum::SCALAR || io->GetNumberOfComponents() != 1) {
    set_err(err, path + ": not a scalar image (" +
                     itk::ImageIOBase::GetPixelTypeAsString(io->GetPixelType()) + " with " +
                     std::to_string(io->GetNumberOfComponents()) +
                     " components); the module defaces scalar volumes only");
    return DEFACE_E_INPUT;
  }
  if (!datatype_of(io->GetComponentType(), dt)) {
    set_err(err, path + ": pixel type " +
                     itk::ImageIOBase::GetComponentTypeAsString(io->GetComponentType()) +
                     " is not supported (uchar, char, short, ushort, int, uint, float, double)");
    return DEFACE_E_INPUT;
  }
  if (nd < 2 || nd > 3) {
    set_err(err, path + ": a " + std::to_string(nd) +
                     "D image; the module takes 3D volumes (use the deface command for 4D NIfTI)");
    return DEFACE_E_INPUT;
  }
  h->file_dims = nd;
  for (unsigned int a = 0; a < 3; a++) {
    h->size[a] = a < nd ? io->GetDimensions(a) : 1;
    h->spacing[a] = a < nd ? io->GetSpacing(a) : 1.0;
    h->origin[a] = a < nd ? io->GetOrigin(a) : 0.0;
    std::vector<double> axis = a < nd ? io->GetDirection(a) : std::vector<double>();
    for (unsigned int r = 0; r < 3; r++)
      h->direction[r][a] = r < axis.size() ? axis[r] : (r == a ? 1.0 : 0.0);
  }
  return DEFACE_OK;
}

deface_status read_image(const char *path, deface_volume **volume, fm_itk_header **header,
                         char *err)
{
  std::string name(path);
  itk::ImageIOBase::Pointer io = io_for_name(name);
  if (!io) {
    set_err(err, name + ": unknown image format (expected .nii, .nii.gz, .mha, .mhd)");
    return DEFACE_E_INPUT;
  }
  if (!io->CanReadFile(path)) {
    FILE *f = std::fopen(path, "rb");
    if (f)
      std::fclose(f);
    set_err(err, name + (f ? ": not a readable image of its format" : ": cannot open the file"));
    return DEFACE_E_INPUT;
  }
  io->SetFileName(path);
  io->ReadImageInformation();
  fm_itk_header h;
  deface_datatype dt;
  deface_status st = header_from_io(name, io, &h, &dt, err);
  if (st != DEFACE_OK)
    return st;
  double m[4][4];
  voxel_to_ras(h, m);
  size_t dims[4] = {h.size[0], h.size[1], h.size[2], 1};
  deface_volume *v = nullptr;
  if ((st = deface_volume_new(dims, dt, m, &v, err)) != DEFACE_OK) {
    if (st == DEFACE_E_USAGE) /* a singular direction or zero spacing */
      st = DEFACE_E_INPUT;
    return st;
  }
  itk::ImageIORegion region(h.file_dims);
  for (unsigned int a = 0; a < h.file_dims; a++) {
    region.SetIndex(a, 0);
    region.SetSize(a, h.size[a]);
  }
  io->SetIORegion(region);
  try {
    io->Read(deface_volume_data(v));
  } catch (...) {
    deface_volume_free(v);
    throw;
  }
  fm_itk_header *out = new (std::nothrow) fm_itk_header(h);
  if (!out) {
    deface_volume_free(v);
    set_err(err, "out of memory");
    return DEFACE_E_NOMEM;
  }
  *volume = v;
  *header = out;
  return DEFACE_OK;
}

deface_status write_image(const char *path, const char *format_path, const deface_volume *volume,
                          const fm_itk_header *h, char *err)
{
  std::string name(path);
  size_t dims[4];
  deface_volume_dims(volume, dims);
  if (dims[0] != h->size[0] || dims[1] != h->size[1] || dims[2] != h->size[2] || dims[3] != 1) {
    set_err(err, name + ": the volume's grid differs from the input's");
    return DEFACE_E_USAGE;
  }
  itk::ImageIOBase::Pointer io = io_for_name(format_path);
  if (!io || !io->CanWriteFile(path)) {
    set_err(err, name + ": unknown output format (expected .nii, .nii.gz, .mha, .mhd)");
    return DEFACE_E_OUTPUT;
  }
  unsigned int nd = h->file_dims;
  io->SetNumberOfDimensions(nd);
  itk::ImageIORegion region(nd);
  for (unsigned int a = 0; a < nd; a++) {
    io->SetDimensions(a, static_cast<itk::SizeValueType>(h->size[a]));
    io->SetSpacing(a, h->spacing[a]);
    io->SetOrigin(a, h->origin[a]);
    std::vector<double> axis(nd);
    for (unsigned int r = 0; r < nd; r++)
      axis[r] = h->direction[r][a];
    io->SetDirection(a, axis);
    region.SetIndex(a, 0);
    region.SetSize(a, h->size[a]);
  }
  io->SetPixelType(itk::IOPixelEnum::SCALAR);
  io->SetNumberOfComponents(1);
  io->SetComponentType(component_of(deface_volume_datatype(volume)));
  io->SetIORegion(region);
  io->SetFileName(path);
  io->Write(deface_volume_data_const(volume));
  return DEFACE_OK;
}

} // namespace

extern "C" {

int fm_itk_format_known(const char *path)
{
  return path && (is_nifti_name(path) || is_meta_name(path)) ? 1 : 0;
}

deface_status fm_itk_read(const char *path, deface_volume **volume, fm_itk_header **header,
                          char *err)
{
  *volume = nullptr;
  *header = nullptr;
  if (!path || !*path) {
    set_err(err, "no input image given");
    return DEFACE_E_USAGE;
  }
  try {
    return read_image(path, volume, header, err);
  } catch (const itk::ExceptionObject &e) {
    set_err(err, std::string(path) + ": ITK cannot read it: " + e.GetDescription());
  } catch (const std::bad_alloc &) {
    set_err(err, std::string(path) + ": out of memory");
    return DEFACE_E_NOMEM;
  } catch (const std::exception &e) {
    set_err(err, std::string(path) + ": " + e.what());
  } catch (...) {
    set_err(err, std::string(path) + ": unknown error while reading");
  }
  return DEFACE_E_INPUT;
}

void fm_itk_header_free(fm_itk_header *header)
{
  delete header;
}

deface_status fm_itk_write(const char *path, const char *format_path, const deface_volume *volume,
                           const fm_itk_header *header, char *err)
{
  try {
    return write_image(path, format_path, volume, header, err);
  } catch (const itk::ExceptionObject &e) {
    set_err(err, std::string(path) + ": ITK cannot write it: " + e.GetDescription());
  } catch (const std::exception &e) {
    set_err(err, std::string(path) + ": " + e.what());
  } catch (...) {
    set_err(err, std::string(path) + ": unknown error while writing");
  }
  return DEFACE_E_OUTPUT;
}

} // extern "C"
