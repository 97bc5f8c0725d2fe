/** The browser side: enqueue with a button, then follow the task over SSE (EventSource). */
export const PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>taskmill HTTP sample</title>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>taskmill HTTP sample</h1>
<button id="render">Render a thumbnail</button>
<ol id="log"></ol>
<script>
const log = document.getElementById('log');
function line(text) {
  const item = document.createElement('li');
  item.textContent = text;
  log.append(item);
}
document.getElementById('render').onclick = async () => {
  const response = await fetch('/thumbnails', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ image: 'cat.jpg', width: 320 }),
  });
  const { id } = await response.json();
  line('enqueued ' + id);
  const events = new EventSource('/thumbnails/' + id + '/status');
  events.onmessage = (event) => {
    const update = JSON.parse(event.data);
    line(update.status + (update.progress ? ' ' + JSON.stringify(update.progress) : ''));
    if (['succeeded', 'failed', 'cancelled', 'unknown'].includes(update.status)) events.close();
  };
};
</script>
</body>
</html>
`;
