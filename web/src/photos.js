// A form's photo list (the appeal form, the grid report): checked, uploaded and previewed.
import { uploadFile } from './api.js';

// Uploads the chosen files into `form.photos` ({ sha256, name, url } with a preview URL), at most
// `max`, of the given types and size. `refused(kind, error)` hears of each file not added:
// 'tooMany' (then the rest are skipped), 'type', 'size', or 'upload' with the server's error. With
// `unique`, a photo already in the list is not added twice.
export async function addPhotos(files, form, { max, types, maxBytes, unique = false }, refused) {
  for (const file of files) {
    if (form.photos.length >= max) {
      refused('tooMany');
      break;
    }
    if (!types.includes(file.type)) {
      refused('type');
      continue;
    }
    if (file.size > maxBytes) {
      refused('size');
      continue;
    }
    try {
      const stored = await uploadFile(file);
      if (!unique || !form.photos.some((p) => p.sha256 === stored.sha256)) {
        form.photos.push({ sha256: stored.sha256, name: file.name, url: URL.createObjectURL(file) });
      }
    } catch (e) {
      refused('upload', e);
    }
  }
}

export function removePhoto(photos, i) {
  const [p] = photos.splice(i, 1);
  if (p?.url) URL.revokeObjectURL(p.url);
}
