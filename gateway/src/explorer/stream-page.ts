import { createHash, randomBytes } from 'node:crypto';
import { ASSET_PREFIX } from './assets';
import { staticPageCsp } from './landing-page';

/** Where the page is served, beside the explorer's assets (public listener, explorer on). */
export const STREAM_PAGE_PATH = '/explorer/stream';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}' +
  'label{display:block;margin:.75rem 0 .25rem;font-weight:600}textarea,select,input{width:100%;box-sizing:border-box;font:inherit}' +
  'textarea#token{font:13px/1.4 monospace}button{margin-top:1rem;font:inherit;padding:.3rem 1.2rem}' +
  'pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.75rem;min-height:3rem}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem}dt{color:#555}dd{margin:0}' +
  '#error{color:#a00}code{font-size:90%}[hidden]{display:none!important}';

/**
 * The page's script, served as a file under a content-hashed name (no inline script anywhere).
 * Plain DOM: it fills the model list from `aiModels`, POSTs the form's fields to `../ai/stream`
 * (relative, so a proxy's path prefix is kept) and reads the answer as Server-Sent Events. Text
 * from the server is only ever set as textContent, never parsed as HTML.
 */
const SCRIPT = `(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var endpoint = function (path) { return new URL(path, location.href).href; };

  /** The bearer token of a JSON headers text, or ''. */
  function bearerOf(text) {
    try {
      var headers = JSON.parse(text || 'null');
      if (!headers || typeof headers !== 'object') return '';
      for (var name in headers) {
        if (name.toLowerCase() !== 'authorization' || typeof headers[name] !== 'string') continue;
        var match = /^Bearer\\s+(\\S+)$/i.exec(headers[name].trim());
        if (match) return match[1];
      }
    } catch (e) {}
    return '';
  }

  /**
   * The explorer keeps its headers in localStorage only when its user turned on "persist headers"
   * in its settings: then its Authorization header prefills the token (this page stores nothing).
   */
  function tokenFromExplorer() {
    var texts = [];
    try {
      var tabs = JSON.parse(localStorage.getItem('graphiql:tabState') || 'null');
      if (tabs && Array.isArray(tabs.tabs)) {
        var active = tabs.tabs[tabs.activeTabIndex];
        if (active) texts.push(active.headers);
        tabs.tabs.forEach(function (tab) { texts.push(tab && tab.headers); });
      }
      texts.push(localStorage.getItem('graphiql:headers'));
    } catch (e) {
      return '';
    }
    for (var i = 0; i < texts.length; i += 1) {
      var token = bearerOf(texts[i]);
      if (token) return token;
    }
    return '';
  }

  function setStatus(text) { $('status').textContent = text; }

  function showError(code, message, creditsCharged) {
    $('error-code').textContent = code || 'ERROR';
    $('error-message').textContent = message || '';
    $('error-credits').textContent =
      typeof creditsCharged === 'number' ? ' Credits charged: ' + creditsCharged + '.' : '';
    $('error').hidden = false;
  }

  function showDone(data) {
    var usage = data.usage || {};
    $('generation-id').textContent = String(data.generationId);
    $('credits-charged').textContent = String(data.creditsCharged);
    $('input-tokens').textContent = String(usage.inputTokens);
    $('output-tokens').textContent = String(usage.outputTokens);
    $('thinking-tokens').textContent = String(usage.thinkingTokens);
    $('figures').hidden = false;
  }

  function loadModels() {
    var select = $('model');
    fetch(endpoint('../graphql'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: '{ aiModels { id displayName maxOutputTokens } }' }),
    })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var models = (body && body.data && body.data.aiModels) || [];
        select.textContent = '';
        models.forEach(function (model) {
          var option = document.createElement('option');
          option.value = model.id;
          option.textContent = model.id + ' (' + model.displayName + ', at most ' + model.maxOutputTokens + ' tokens)';
          option.dataset.maxOutputTokens = String(model.maxOutputTokens);
          select.appendChild(option);
        });
        if (models.some(function (model) { return model.id === 'development-model'; })) select.value = 'development-model';
        onModel();
        setStatus(models.length ? 'Ready.' : 'No models are on offer.');
      })
      .catch(function (error) { setStatus('The models could not be loaded: ' + error.message); });
  }

  function onModel() {
    var option = $('model').selectedOptions[0];
    if (option) $('max-tokens').max = option.dataset.maxOutputTokens;
  }

  /** One SSE frame, by the WHATWG rules: its event name and its data lines joined. */
  function parseFrame(frame) {
    var event = 'message';
    var data = [];
    frame.split('\\n').forEach(function (line) {
      if (line === '' || line.charAt(0) === ':') return;
      var colon = line.indexOf(':');
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    });
    return { event: event, data: data.join('\\n') };
  }

  /** Reads the body as it arrives; each complete frame (ended by a blank line) goes to onEvent. */
  function readEvents(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = '';
    function take(final) {
      // A lone trailing CR may be the first half of a CRLF: kept until the next read.
      var cut = !final && buffer.slice(-1) === '\\r' ? buffer.length - 1 : buffer.length;
      var text = buffer.slice(0, cut).replace(/\\r\\n?/g, '\\n');
      buffer = buffer.slice(cut);
      var frames = text.split('\\n\\n');
      var rest = frames.pop();
      frames.forEach(function (frame) { onEvent(parseFrame(frame)); });
      if (final) { if (rest.trim()) onEvent(parseFrame(rest)); }
      else buffer = rest + buffer;
    }
    function pump() {
      return reader.read().then(function (step) {
        if (step.value) buffer += decoder.decode(step.value, { stream: true });
        if (step.done) {
          buffer += decoder.decode();
          take(true);
          return undefined;
        }
        take(false);
        return pump();
      });
    }
    return pump();
  }

  function send() {
    var output = $('output');
    output.textContent = '';
    $('figures').hidden = true;
    $('error').hidden = true;
    $('chunks').textContent = '0';
    var token = $('token').value.trim().replace(/^Bearer\\s+/i, '');
    var request = { model: $('model').value, prompt: $('prompt').value };
    var max = $('max-tokens').value.trim();
    if (max !== '') request.maxOutputTokens = Number(max);
    var headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    if (token) headers.authorization = 'Bearer ' + token;
    var chunks = 0;
    var ended = false;
    $('send').disabled = true;
    setStatus('Sending...');
    fetch(endpoint('../ai/stream'), { method: 'POST', headers: headers, body: JSON.stringify(request) })
      .then(function (response) {
        var type = response.headers.get('content-type') || '';
        if (type.indexOf('text/event-stream') !== 0) {
          // Refused before any generation: a GraphQL-shaped JSON error with its HTTP status.
          return response.text().then(function (text) {
            var error = {};
            try { error = (JSON.parse(text).errors || [])[0] || {}; } catch (e) {}
            ended = true;
            setStatus('Refused (HTTP ' + response.status + ').');
            showError((error.extensions && error.extensions.code) || 'HTTP_' + response.status, error.message || text);
          });
        }
        setStatus('Streaming...');
        return readEvents(response.body, function (frame) {
          var data = {};
          try { data = JSON.parse(frame.data || '{}'); } catch (e) {}
          if (frame.event === 'chunk') {
            chunks += 1;
            $('chunks').textContent = String(chunks);
            output.appendChild(document.createTextNode(typeof data.text === 'string' ? data.text : ''));
          } else if (frame.event === 'done') {
            ended = true;
            showDone(data);
            setStatus('Done.');
          } else if (frame.event === 'error') {
            ended = true;
            showError(data.code, data.message, data.creditsCharged);
            setStatus('Ended with an error.');
          }
        });
      })
      .then(function () {
        if (!ended) {
          setStatus('The stream ended without a done or error event.');
          showError('STREAM_CUT', 'The connection closed before the generation ended.');
        }
      })
      .catch(function (error) {
        setStatus('The request failed.');
        showError('NETWORK_ERROR', error.message);
      })
      .then(function () { $('send').disabled = false; });
  }

  $('token').value = tokenFromExplorer();
  $('token-source').hidden = !$('token').value;
  $('model').addEventListener('change', onModel);
  $('send').addEventListener('click', send);
  loadModels();
})();
`;

/** The script's bytes and its content-hashed file name under ASSET_PREFIX. */
export const STREAM_SCRIPT = {
  body: Buffer.from(SCRIPT, 'utf8'),
  name: `stream-${createHash('sha256').update(SCRIPT).digest('hex').slice(0, 16)}.js`,
  /** Subresource integrity: the browser runs the file only if these are its bytes. */
  integrity: `sha384-${createHash('sha384').update(SCRIPT).digest('base64')}`,
};

/** A fresh nonce for one response: the page's one script runs only with it. */
export function scriptNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The page's policy: the landing page's (nothing but its stylesheet by hash), plus its one script
 * by this response's nonce and requests to this origin only (/graphql and /ai/stream).
 */
export function streamPageCsp(nonce: string): string {
  return staticPageCsp(STYLE, { scriptNonce: nonce, connectSelf: true });
}

/** `GET /explorer/stream`: a form that streams a generation from POST /ai/stream and shows it as it comes. */
export function streamPage(nonce: string): string {
  // Relative to /explorer/stream: /explorer/assets/…, and under a proxy's prefix if one adds it.
  const script = `.${ASSET_PREFIX.slice('/explorer'.length)}${STREAM_SCRIPT.name}`;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Bastion AI stream</title>
    <style>${STYLE}</style>
    <script defer nonce="${nonce}" integrity="${STREAM_SCRIPT.integrity}" src="${script}"></script>
  </head>
  <body>
    <h1>AI stream</h1>
    <p>Streams a generation from <code>POST /ai/stream</code> (Server-Sent Events), which the
    <a href="../graphql">GraphQL explorer</a> cannot show. It is charged in credits like
    <code>generateText</code>. Outside production without a Gemini key, <code>development-model</code>
    answers locally with a deterministic text. <a href="/">Home</a></p>
    <noscript><p>This page needs JavaScript. Use <code>curl -N</code> as docs/api.md shows instead.</p></noscript>
    <label for="token">Access token</label>
    <textarea id="token" rows="3" autocomplete="off" spellcheck="false" placeholder="accessToken from the login mutation"></textarea>
    <p><small>Paste the <code>accessToken</code> that a <code>login</code> mutation returns (run it in the
    explorer); the user's email must be verified and its account needs credits. This page does not
    store it.<span id="token-source" hidden> Prefilled from the explorer's saved headers.</span></small></p>
    <label for="model">Model</label>
    <select id="model"></select>
    <label for="prompt">Prompt</label>
    <textarea id="prompt" rows="4">hello world</textarea>
    <label for="max-tokens">Max output tokens (empty: the model's maximum)</label>
    <input id="max-tokens" type="number" min="1" step="1">
    <button id="send" type="button">Send</button>
    <p id="status" role="status">Loading the models...</p>
    <h2>Output</h2>
    <pre id="output" aria-live="polite"></pre>
    <p>Chunks received: <span id="chunks">0</span></p>
    <dl id="figures" hidden>
      <dt>Generation</dt><dd id="generation-id"></dd>
      <dt>Credits charged</dt><dd id="credits-charged"></dd>
      <dt>Input tokens</dt><dd id="input-tokens"></dd>
      <dt>Output tokens</dt><dd id="output-tokens"></dd>
      <dt>Thinking tokens</dt><dd id="thinking-tokens"></dd>
    </dl>
    <p id="error" role="alert" hidden><code id="error-code"></code>: <span id="error-message"></span><span id="error-credits"></span></p>
  </body>
</html>
`;
}
