/*
 * render_qa.cpp - the QA picture: the skin of the original (removed region
 * coloured) and of the defaced volume, each from the right 45 degrees, the
 * front and the left 45 degrees, lit like a face photograph (VTK's light kit:
 * key, fill, back and head lights that move with the camera), a caption with
 * the name, status and changed volume; encoded as PNG bytes in memory (the
 * caller writes them: deface_write.h). Both rows use the same cameras, framed on the original head,
 * so that outside the face the two rows show the same pixels.
 */
#include "deface_render.h"
#include "render_private.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkDataArray.h>
#include <vtkLightKit.h>
#include <vtkPNGWriter.h>
#include <vtkPointData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkRendererCollection.h>
#include <vtkTextActor.h>
#include <vtkTextProperty.h>
#include <vtkUnsignedCharArray.h>
#include <vtkWindowToImageFilter.h>

#include <X11/Xlib.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

using deface_render::LABEL_ARRAY;

namespace
{

const double SKIN[3] = {0.89, 0.73, 0.63};
const double REMOVED[3] = {0.18, 0.55, 0.95}; /* blue: never a skin tone */
const double BACKGROUND[3] = {0.13, 0.14, 0.16};

struct Failure {
  deface_status status;
  std::string reason;
};

void set_err(char *err, const std::string &text)
{
  if (err)
    std::snprintf(err, DEFACE_ERRLEN, "%s", text.c_str());
}

std::string cannot_open(const char *name)
{
  return std::string("cannot open the X display ") + name +
         "; install xvfb or run under `xvfb-run -a`";
}

} // namespace

/* One connection to the X server, held while the handle lives (see
 * deface_render.h): VTK draws through it instead of opening its own. The
 * render window is made by the first picture and kept for the next ones:
 * a new window is a new OpenGL context, whose shaders Mesa's llvmpipe would
 * compile again (about a third of a picture's time). */
struct deface_render_display {
  Display *x;
  std::string name;
  vtkSmartPointer<vtkRenderWindow> window;
};

namespace
{

void normalise(double v[3])
{
  double n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  if (n > 0)
    for (int a = 0; a < 3; a++)
      v[a] /= n;
}

/* The head's frame: anterior and left unit vectors in RAS, up = superior. */
struct Frame {
  double anterior[3], left[3], up[3];
};

Frame head_frame(const double (*eye_ras)[3])
{
  Frame f = {{0, 1, 0}, {-1, 0, 0}, {0, 0, 1}};
  if (!eye_ras)
    return f;
  double lr[3] = {eye_ras[1][0] - eye_ras[0][0], eye_ras[1][1] - eye_ras[0][1], 0.0};
  if (std::hypot(lr[0], lr[1]) < 10.0) /* eyes implausibly close: keep RAS */
    return f;
  normalise(lr);
  /* anterior = left x up, in the axial plane */
  f.anterior[0] = lr[1];
  f.anterior[1] = -lr[0];
  f.anterior[2] = 0;
  std::memcpy(f.left, lr, sizeof lr);
  return f;
}

/* Vertex colours: skin, or the removed colour where the label is set. */
void colour_by_label(vtkPolyData *surface)
{
  vtkDataArray *label = surface->GetPointData()->GetArray(LABEL_ARRAY);
  auto rgb = vtkSmartPointer<vtkUnsignedCharArray>::New();
  rgb->SetName("colours");
  rgb->SetNumberOfComponents(3);
  rgb->SetNumberOfTuples(surface->GetNumberOfPoints());
  for (vtkIdType p = 0; p < surface->GetNumberOfPoints(); p++) {
    const double *c = label && label->GetTuple1(p) > 0.25 ? REMOVED : SKIN;
    for (int k = 0; k < 3; k++)
      rgb->SetComponent(p, k, std::lround(255.0 * c[k]));
  }
  surface->GetPointData()->SetScalars(rgb);
}

vtkSmartPointer<vtkActor> skin_actor(vtkPolyData *surface, bool coloured)
{
  auto mapper = vtkSmartPointer<vtkPolyDataMapper>::New();
  mapper->SetInputData(surface);
  if (coloured) {
    mapper->SetColorModeToDirectScalars();
    mapper->SetScalarModeToUsePointData();
    mapper->ScalarVisibilityOn();
  } else
    mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  vtkProperty *p = actor->GetProperty();
  p->SetColor(SKIN[0], SKIN[1], SKIN[2]);
  p->SetAmbient(0.12);
  p->SetDiffuse(0.85);
  p->SetSpecular(0.12);
  p->SetSpecularPower(18);
  p->SetInterpolationToPhong();
  return actor;
}

vtkSmartPointer<vtkTextActor> text(const std::string &s, int size, int x, int y, bool bold)
{
  auto t = vtkSmartPointer<vtkTextActor>::New();
  t->SetInput(s.c_str());
  t->SetPosition(x, y);
  vtkTextProperty *p = t->GetTextProperty();
  p->SetFontSize(size);
  p->SetColor(0.93, 0.93, 0.93);
  p->SetFontFamilyToArial();
  p->SetBold(bold);
  return t;
}

std::string caption_line(const char *name, const char *status, double changed_ml)
{
  std::string n = name && *name ? name : "(unnamed)";
  if (n.size() > 70)
    n = "..." + n.substr(n.size() - 67);
  char tail[128];
  std::snprintf(tail, sizeof tail, "   |   %s   |   changed %.1f mL",
                status && *status ? status : "?", changed_ml);
  return n + tail;
}

void render(const deface_volume *original, const deface_volume *defaced, const deface_volume *label,
            double threshold, const double (*eye_ras)[3], const char *name, const char *status,
            double changed_ml, deface_render_display *display, std::vector<unsigned char> &png)
{
  vtkSmartPointer<vtkPolyData> before = deface_render::skin_surface(original, threshold, label);
  vtkSmartPointer<vtkPolyData> after = deface_render::skin_surface(defaced, threshold, nullptr);
  if (before->GetNumberOfPoints() == 0)
    throw Failure{DEFACE_E_OUTPUT, "no skin surface at the head/air threshold"};
  colour_by_label(before);

  double b[6], centre[3], radius = 0;
  before->GetBounds(b);
  for (int a = 0; a < 3; a++) {
    centre[a] = 0.5 * (b[2 * a] + b[2 * a + 1]);
    radius += 0.25 * (b[2 * a + 1] - b[2 * a]) * (b[2 * a + 1] - b[2 * a]);
  }
  radius = std::sqrt(radius);
  Frame f = head_frame(eye_ras);
  const double view_angle = 30.0, distance = 0.85 * radius / std::sin(M_PI * view_angle / 360.0);
  const double azimuth[3] = {-45.0, 0.0, 45.0}; /* subject's right, front, subject's left */
  const char *view_name[3] = {"right 45", "front", "left 45"};

  if (!display->window) {
    display->window = vtkSmartPointer<vtkRenderWindow>::New();
    display->window->SetDisplayId(display->x); /* ours: VTK neither opens nor closes it */
    display->window->SetOffScreenRendering(1);
    display->window->SetMultiSamples(0);
    display->window->SetSize(DEFACE_RENDER_WIDTH, DEFACE_RENDER_HEIGHT);
  }
  vtkRenderWindow *window = display->window;
  struct Clear { /* the next picture starts from an empty window, however this one ends */
    vtkRenderWindow *w;
    ~Clear() { w->GetRenderers()->RemoveAllItems(); }
  } clear{window};
  const double W = DEFACE_RENDER_WIDTH, H = DEFACE_RENDER_HEIGHT, P = DEFACE_RENDER_PANEL;
  for (int row = 0; row < 2; row++)
    for (int col = 0; col < 3; col++) {
      auto ren = vtkSmartPointer<vtkRenderer>::New();
      double y0 = (DEFACE_RENDER_CAPTION + (1 - row) * P) / H;
      ren->SetViewport(col * P / W, y0, (col + 1) * P / W, y0 + P / H);
      ren->SetBackground(BACKGROUND[0], BACKGROUND[1], BACKGROUND[2]);
      ren->AddActor(skin_actor(row == 0 ? before : after, row == 0));
      ren->AddActor2D(text(std::string(row == 0 ? "before, " : "after, ") + view_name[col], 14, 8,
                           (int)P - 22, false));
      double t = M_PI * azimuth[col] / 180.0, dir[3];
      for (int a = 0; a < 3; a++)
        dir[a] = std::cos(t) * f.anterior[a] + std::sin(t) * f.left[a];
      vtkCamera *cam = ren->GetActiveCamera();
      cam->SetFocalPoint(centre);
      cam->SetPosition(centre[0] + distance * dir[0], centre[1] + distance * dir[1],
                       centre[2] + distance * dir[2]);
      cam->SetViewUp(f.up);
      cam->SetViewAngle(view_angle);
      cam->SetClippingRange(distance - 2 * radius > 1 ? distance - 2 * radius : 1,
                            distance + 2 * radius);
      auto lights = vtkSmartPointer<vtkLightKit>::New();
      lights->SetKeyLightIntensity(0.85);
      lights->SetKeyLightWarmth(0.62);
      lights->SetKeyToFillRatio(2.5);
      lights->AddLightsToRenderer(ren);
      window->AddRenderer(ren);
    }
  auto cap = vtkSmartPointer<vtkRenderer>::New();
  cap->SetViewport(0, 0, 1, DEFACE_RENDER_CAPTION / H);
  cap->SetBackground(0.05, 0.05, 0.06);
  cap->AddActor2D(text(caption_line(name, status, changed_ml), 16, 10, 34, true));
  cap->AddActor2D(
      text("top: before (removed region in blue); bottom: after defacing", 13, 10, 10, false));
  window->AddRenderer(cap);
  window->Render();

  auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
  grab->SetInput(window);
  grab->ShouldRerenderOff(); /* drawn just above: a second render would double the cost */
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  grab->Update();
  auto writer = vtkSmartPointer<vtkPNGWriter>::New();
  writer->SetInputConnection(grab->GetOutputPort());
  writer->WriteToMemoryOn();
  writer->Write();
  vtkUnsignedCharArray *bytes = writer->GetResult();
  if (writer->GetErrorCode() != 0 || !bytes || bytes->GetNumberOfTuples() == 0)
    throw Failure{DEFACE_E_OUTPUT, "cannot encode the PNG"};
  const unsigned char *p = bytes->GetPointer(0);
  png.assign(p, p + bytes->GetNumberOfTuples() * bytes->GetNumberOfComponents());
}

} // namespace

extern "C" deface_status deface_render_display_open(const char *name, deface_render_display **out,
                                                    char *err)
{
  if (!out) {
    set_err(err, "deface_render_display_open: NULL result pointer");
    return DEFACE_E_USAGE;
  }
  *out = nullptr;
  if (!name || !*name) {
    set_err(err, "no X display (DISPLAY is unset): rendering needs one; install xvfb or run "
                 "under `xvfb-run -a`");
    return DEFACE_E_OUTPUT;
  }
  try {
    auto *d = new deface_render_display{nullptr, name, nullptr};
    /* VTK 9.1 aborts the process when it cannot open a display: it never has to. */
    d->x = XOpenDisplay(name);
    if (!d->x) {
      set_err(err, cannot_open(name));
      delete d;
      return DEFACE_E_OUTPUT;
    }
    *out = d;
    return DEFACE_OK;
  } catch (...) {
    set_err(err, "deface_render_display_open: out of memory");
    return DEFACE_E_NOMEM;
  }
}

extern "C" void deface_render_display_close(deface_render_display *display)
{
  if (!display)
    return;
  if (display->window)
    display->window->Finalize(); /* the context goes before the connection it lives on */
  display->window = nullptr;
  XCloseDisplay(display->x);
  delete display;
}

extern "C" const char *deface_render_display_name(const deface_render_display *display)
{
  return display ? display->name.c_str() : "";
}

extern "C" deface_status deface_render_qa_png(deface_render_display *display,
                                              const deface_volume *original,
                                              const deface_volume *defaced,
                                              const deface_volume *label, double skin_threshold,
                                              const double (*eye_ras)[3], const char *caption_name,
                                              const char *status, double changed_ml,
                                              unsigned char **png, size_t *png_size, char *err)
{
  if (png)
    *png = nullptr;
  if (png_size)
    *png_size = 0;
  if (!display || !original || !defaced || !label || !png || !png_size) {
    set_err(err, "deface_render_qa_png: missing display, volume or result pointer");
    return DEFACE_E_USAGE;
  }
  size_t a[4], b[4], c[4];
  deface_volume_dims(original, a);
  deface_volume_dims(defaced, b);
  deface_volume_dims(label, c);
  for (int k = 0; k < 3; k++)
    if (a[k] != b[k] || a[k] != c[k]) {
      set_err(err, "deface_render_qa_png: the volumes are not on one grid");
      return DEFACE_E_USAGE;
    }
  try {
    std::vector<unsigned char> bytes;
    render(original, defaced, label, skin_threshold, eye_ras, caption_name, status, changed_ml,
           display, bytes);
    auto *out = static_cast<unsigned char *>(std::malloc(bytes.size()));
    if (!out)
      throw std::bad_alloc();
    std::memcpy(out, bytes.data(), bytes.size());
    *png = out;
    *png_size = bytes.size();
    return DEFACE_OK;
  } catch (const Failure &f) {
    set_err(err, "QA picture: " + f.reason);
    return f.status;
  } catch (const std::bad_alloc &) {
    set_err(err, "QA picture: out of memory");
    return DEFACE_E_NOMEM;
  } catch (...) {
    set_err(err, "QA picture: rendering failed");
    return DEFACE_E_INTERNAL;
  }
}
