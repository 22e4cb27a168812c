/*
 * render_private.h - what the two halves of Logic/Render share: the skin
 * surface built from a volume (render_surface.cpp) and the scene that
 * photographs it (render_qa.cpp).
 */
#ifndef DEFACE_RENDER_PRIVATE_H
#define DEFACE_RENDER_PRIVATE_H

#include "deface.h"

#include <vtkPolyData.h>
#include <vtkSmartPointer.h>

namespace deface_render
{

/** Name of the per-vertex label array set by skin_surface() when a label is given. */
extern const char *const LABEL_ARRAY;

/**
 * The largest connected isosurface of the first time point of `volume` at
 * `threshold` (a real value), on a copy shrunk to about 1.6 mm voxels and
 * lightly smoothed, then smoothed as a mesh, in RAS millimetres with normals.
 * With a label (same grid), each vertex gets LABEL_ARRAY: the largest label
 * value near it. Returns an empty polydata when there is no surface.
 */
vtkSmartPointer<vtkPolyData> skin_surface(const deface_volume *volume, double threshold,
                                          const deface_volume *label);

} // namespace deface_render

#endif
