#!/usr/bin/python3
"""make_template.py CACHE OUT_DIR - builds deface's head template from ch2 and ch2bet.

The template is the second, independent localiser's model of a head (Logic/src/template.c): the
Colin27 T1 ("ch2") and its brain ("ch2bet") from Debian's mricron-data, as fetched by
Testing/data/fetch_testdata.sh into CACHE. It writes OUT_DIR/ch2_template_3mm.nii, a NIfTI-1
uint8 image of 60x72x60 voxels of 3 mm on ch2's own RAS grid with two volumes:
  volume 0  the T1 intensity, the mean of each 3x3x3 block of ch2 (rounded)
  volume 1  flags per block: 1 head (the head closed by 6 mm and hole-filled, >= half the block),
            2 brain (ch2bet > 0 in >= half the block), 4 keep-out (any voxel of the block within
            6 mm of the brain), 8 field of view (every voxel of ch2 is in view: all blocks),
            16 near the head (within 2 blocks of a head block along each axis: where the
            registration samples the template)
The eye centres are ch2's annotated ones (Testing/data/annotations.tsv); the core holds them and
the estimated nose tip in Logic/src/template.h. Deterministic: numpy and scipy's exact
morphology only, no random numbers; the test template_reproducible rebuilds the template from
the fetched scan and compares it voxel for voxel with the committed one.

Uses Debian's python3-numpy, python3-scipy and python3-nibabel (run it with /usr/bin/python3).
"""
import sys

import nibabel as nib
import numpy as np
from scipy import ndimage

BLOCK = 3
HEAD_CLOSE_MM = 6
KEEP_OUT_MM = 6


def ball(radius):
    r = int(radius)
    z, y, x = np.mgrid[-r:r + 1, -r:r + 1, -r:r + 1]
    return x * x + y * y + z * z <= radius * radius


def otsu(values, bins=512):
    hist, edges = np.histogram(values, bins=bins)
    centres = np.arange(bins, dtype=np.float64)
    w0 = np.cumsum(hist).astype(np.float64)
    w1 = w0[-1] - w0
    s0 = np.cumsum(hist * centres)
    m0 = np.divide(s0, w0, out=np.zeros_like(s0), where=w0 > 0)
    m1 = np.divide(s0[-1] - s0, w1, out=np.zeros_like(s0), where=w1 > 0)
    between = w0 * w1 * (m0 - m1) ** 2
    return edges[0] + (np.argmax(between) + 1) * (edges[1] - edges[0])


def head_mask(t1):
    """The head as the core finds it: half of Otsu's threshold, the largest component, closed and
    hole-filled."""
    lo, hi = np.percentile(t1, [1, 99.5])
    inside = t1 > 0.5 * otsu(np.clip(t1, lo, hi))
    labels, n = ndimage.label(inside)
    sizes = ndimage.sum(inside, labels, range(1, n + 1))
    head = labels == (1 + int(np.argmax(sizes)))
    pad = HEAD_CLOSE_MM + 1
    head = np.pad(head, pad)
    head = ndimage.binary_dilation(head, structure=ball(HEAD_CLOSE_MM))
    head = ndimage.binary_fill_holes(head)
    head = ndimage.binary_erosion(head, structure=ball(HEAD_CLOSE_MM))
    return head[pad:-pad, pad:-pad, pad:-pad]


def blocks(a):
    """(n, n, n, 27) view of 3x3x3 blocks, the incomplete last row of each axis dropped."""
    n = [s // BLOCK for s in a.shape]
    a = a[:n[0] * BLOCK, :n[1] * BLOCK, :n[2] * BLOCK]
    a = a.reshape(n[0], BLOCK, n[1], BLOCK, n[2], BLOCK)
    return a.transpose(0, 2, 4, 1, 3, 5).reshape(n[0], n[1], n[2], BLOCK ** 3)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_template.py CACHE OUT_DIR")
    cache, out = sys.argv[1], sys.argv[2]
    ch2 = nib.load(f"{cache}/ch2.nii.gz")
    bet = nib.load(f"{cache}/ch2bet.nii.gz")
    affine = ch2.affine
    if not np.allclose(affine[:3, :3], np.eye(3)) or not np.allclose(bet.affine, affine):
        sys.exit("make_template.py: ch2 and ch2bet must share a 1 mm RAS grid")
    t1 = np.asarray(ch2.dataobj).astype(np.float64)
    brain = np.asarray(bet.dataobj) > 0

    head = head_mask(t1)
    keep_out = ndimage.binary_dilation(np.pad(brain, KEEP_OUT_MM + 1),
                                       structure=ball(KEEP_OUT_MM))
    keep_out = keep_out[KEEP_OUT_MM + 1:-KEEP_OUT_MM - 1, KEEP_OUT_MM + 1:-KEEP_OUT_MM - 1,
                        KEEP_OUT_MM + 1:-KEEP_OUT_MM - 1]

    intensity = np.floor(blocks(t1).mean(axis=3) + 0.5).astype(np.uint8)
    flags = (blocks(head).mean(axis=3) >= 0.5).astype(np.uint8) * 1
    flags |= (blocks(brain).mean(axis=3) >= 0.5).astype(np.uint8) * 2
    flags |= blocks(keep_out).any(axis=3).astype(np.uint8) * 4
    flags |= np.uint8(8)
    near = ndimage.binary_dilation((flags & 1) > 0, structure=np.ones((5, 5, 5), bool))
    flags |= near.astype(np.uint8) * 16

    grid = np.diag([BLOCK, BLOCK, BLOCK, 1.0])
    grid[:3, 3] = affine[:3, 3] + (BLOCK - 1) / 2.0  # the centre of each block's first voxel
    data = np.stack([intensity, flags], axis=3)
    img = nib.Nifti1Image(data, grid)
    img.header.set_xyzt_units("mm", "sec")
    img.header.set_sform(grid, code=4)  # MNI, as ch2
    img.header.set_qform(grid, code=4)
    img.header["descrip"] = b"deface head template from ch2/ch2bet"
    nib.save(img, f"{out}/ch2_template_3mm.nii")


if __name__ == "__main__":
    main()
