// Shared by the pages: JSON over the public API, with the server's {error, message, field} on failure.
export async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (token) headers['x-csrf-token'] = token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message ?? `${method} ${path} answered ${response.status}`);
    error.field = data.field;
    throw error;
  }
  return data;
}
