/*
 * render_surface.cpp - the skin surface of a volume for the QA picture.
 *
 * A face photograph needs the skin, not every voxel: the volume is shrunk by
 * block averaging to about 1.6 mm voxels (a 1 mm head then renders in about
 * a second), smoothed a little so that MR noise does not roughen the skin,
 * cut at the core's head/air threshold with flying edges, reduced to its
 * largest connected piece (specks of noise in the air are dropped) and
 * smoothed as a mesh. The label is shrunk by block maximum, so that thin
 * parts of the removed region stay visible, and probed at every vertex.
 * vtkImageData in VTK 9.1 has no direction matrix: everything is built in
 * voxel-index space and the mesh is moved into RAS by the voxel-to-RAS matrix.
 */
#include "render_private.h"

#include <vtkDataArray.h>
#include <vtkFloatArray.h>
#include <vtkFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkImageGaussianSmooth.h>
#include <vtkMatrix4x4.h>
#include <vtkPointData.h>
#include <vtkPolyDataConnectivityFilter.h>
#include <vtkPolyDataNormals.h>
#include <vtkProbeFilter.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkWindowedSincPolyDataFilter.h>

#include <algorithm>
#include <cmath>

namespace deface_render
{

const char *const LABEL_ARRAY = "label";

namespace
{

const double TARGET_MM = 1.6; /* voxel size of the shrunk copy */

struct Shrink {
  size_t n[3]; /* input dims */
  int step[3]; /* input voxels per shrunk voxel along each axis */
  int m[3];    /* shrunk dims */
};

Shrink plan(const deface_volume *v)
{
  Shrink s;
  size_t dims[4];
  double spacing[3];
  deface_volume_dims(v, dims);
  deface_volume_spacing(v, spacing);
  for (int a = 0; a < 3; a++) {
    s.n[a] = dims[a];
    s.step[a] = std::max(1, (int)std::lround(TARGET_MM / std::max(spacing[a], 1e-6)));
    s.step[a] = (int)std::min<size_t>((size_t)s.step[a], std::max<size_t>(dims[a], 1));
    s.m[a] = std::max(1, (int)(dims[a] / (size_t)s.step[a]));
  }
  return s;
}

/* The first time point shrunk by block mean (use_max false) or block maximum,
 * as a float image whose points sit at the blocks' centres in input indices. */
vtkSmartPointer<vtkImageData> shrink(const deface_volume *v, const Shrink &s, bool use_max)
{
  auto image = vtkSmartPointer<vtkImageData>::New();
  image->SetDimensions(s.m[0], s.m[1], s.m[2]);
  image->SetSpacing(s.step[0], s.step[1], s.step[2]);
  image->SetOrigin(0.5 * (s.step[0] - 1), 0.5 * (s.step[1] - 1), 0.5 * (s.step[2] - 1));
  auto values = vtkSmartPointer<vtkFloatArray>::New();
  values->SetName(use_max ? LABEL_ARRAY : "intensity");
  values->SetNumberOfTuples((vtkIdType)s.m[0] * s.m[1] * s.m[2]);
  float *out = values->GetPointer(0);
  const double count = (double)s.step[0] * s.step[1] * s.step[2];
  for (int K = 0; K < s.m[2]; K++)
    for (int J = 0; J < s.m[1]; J++)
      for (int I = 0; I < s.m[0]; I++) {
        double acc = use_max ? -HUGE_VAL : 0.0;
        for (int k = K * s.step[2]; k < (K + 1) * s.step[2]; k++)
          for (int j = J * s.step[1]; j < (J + 1) * s.step[1]; j++) {
            size_t row = s.n[0] * ((size_t)j + s.n[1] * (size_t)k);
            for (int i = I * s.step[0]; i < (I + 1) * s.step[0]; i++) {
              double x = deface_volume_value(v, row + (size_t)i);
              acc = use_max ? std::max(acc, x) : acc + x;
            }
          }
        *out++ = (float)(use_max ? acc : acc / count);
      }
  image->GetPointData()->SetScalars(values);
  return image;
}

} // namespace

vtkSmartPointer<vtkPolyData> skin_surface(const deface_volume *volume, double threshold,
                                          const deface_volume *label)
{
  Shrink s = plan(volume);
  auto image = shrink(volume, s, false);

  auto smooth = vtkSmartPointer<vtkImageGaussianSmooth>::New();
  smooth->SetInputData(image);
  smooth->SetDimensionality(3);
  smooth->SetStandardDeviations(0.7, 0.7, 0.7); /* shrunk voxels */
  smooth->SetRadiusFactors(2.0, 2.0, 2.0);

  auto iso = vtkSmartPointer<vtkFlyingEdges3D>::New();
  iso->SetInputConnection(smooth->GetOutputPort());
  iso->SetValue(0, threshold);
  iso->ComputeNormalsOff();
  iso->ComputeGradientsOff();
  iso->ComputeScalarsOff();

  auto largest = vtkSmartPointer<vtkPolyDataConnectivityFilter>::New();
  largest->SetInputConnection(iso->GetOutputPort());
  largest->SetExtractionModeToLargestRegion();

  auto mesh_smooth = vtkSmartPointer<vtkWindowedSincPolyDataFilter>::New();
  mesh_smooth->SetInputConnection(largest->GetOutputPort());
  mesh_smooth->SetNumberOfIterations(15);
  mesh_smooth->SetPassBand(0.1);
  mesh_smooth->BoundarySmoothingOff();
  mesh_smooth->FeatureEdgeSmoothingOff();
  mesh_smooth->NonManifoldSmoothingOn();
  mesh_smooth->NormalizeCoordinatesOn();
  mesh_smooth->Update();
  vtkSmartPointer<vtkPolyData> surface = mesh_smooth->GetOutput();
  if (surface->GetNumberOfPoints() == 0)
    return vtkSmartPointer<vtkPolyData>::New();

  if (label) {
    auto probe = vtkSmartPointer<vtkProbeFilter>::New();
    probe->SetInputData(surface);
    probe->SetSourceData(shrink(label, s, true));
    probe->Update();
    surface = probe->GetPolyDataOutput();
  }

  double m[4][4];
  deface_volume_matrix(volume, m);
  auto matrix = vtkSmartPointer<vtkMatrix4x4>::New();
  for (int r = 0; r < 4; r++)
    for (int c = 0; c < 4; c++)
      matrix->SetElement(r, c, m[r][c]);
  auto transform = vtkSmartPointer<vtkTransform>::New();
  transform->SetMatrix(matrix);
  auto to_ras = vtkSmartPointer<vtkTransformPolyDataFilter>::New();
  to_ras->SetInputData(surface);
  to_ras->SetTransform(transform);

  auto normals = vtkSmartPointer<vtkPolyDataNormals>::New();
  normals->SetInputConnection(to_ras->GetOutputPort());
  normals->SplittingOff();
  /* Flying edges orders every triangle alike already, and the renderer lights both sides:
   * making the order consistent again cost a tenth of a picture. */
  normals->ConsistencyOff();
  normals->Update();
  vtkSmartPointer<vtkPolyData> out = normals->GetOutput();
  return out;
}

} // namespace deface_render
