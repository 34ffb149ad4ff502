// The local preview's browser side. It draws nothing itself: the server sends
// each UI Kit app's HTML over a server-sent event stream and this script
// patches it into the page, then sends the reader's clicks and input back.
// Patching (rather than replacing) keeps the focus and the caret in a field
// the reader is typing in.
(() => {
  const viewId = document.body.dataset.pwView;
  let queue = Promise.resolve();

  function post(path, body) {
    return fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (response) => {
      if (!response.ok && response.status !== 204) {
        const problem = await response.json().catch(() => ({}));
        showFlag({
          title: problem.title || 'The preview could not do that',
          description: problem.detail,
          type: 'error',
        });
      }
      return response;
    });
  }

  // Actions reach the server in the order the reader made them.
  function act(action) {
    if (!viewId) return Promise.resolve();
    queue = queue.then(() => post(`/api/views/${viewId}/actions`, action)).catch(() => {});
    return queue;
  }

  function slotOf(element) {
    const holder = element.closest('[data-pw-slot]');
    return holder ? holder.dataset.pwSlot : undefined;
  }

  // A control is named by its node's key and the handler prop, both stable across re-renders.
  function eventFor(control, value) {
    const action = {
      type: 'event',
      slot: slotOf(control),
      node: control.dataset.pwNode,
      prop: control.dataset.pwProp,
    };
    return value === undefined ? action : { ...action, value };
  }

  function syncAttributes(from, to) {
    for (const attribute of Array.from(from.attributes)) {
      if (!to.hasAttribute(attribute.name)) from.removeAttribute(attribute.name);
    }
    for (const attribute of Array.from(to.attributes)) {
      if (from.getAttribute(attribute.name) !== attribute.value)
        from.setAttribute(attribute.name, attribute.value);
    }
    const focused = from === document.activeElement;
    if (from instanceof HTMLInputElement) {
      if (from.type === 'checkbox' || from.type === 'radio') from.checked = to.hasAttribute('checked');
      else if (!focused) from.value = to.getAttribute('value') ?? '';
    } else if (from instanceof HTMLTextAreaElement && !focused) {
      from.value = to.textContent ?? '';
    }
  }

  function morphChildren(from, to) {
    const before = Array.from(from.childNodes);
    const after = Array.from(to.childNodes);
    after.forEach((next, index) => {
      const current = before[index];
      if (!current) {
        from.appendChild(next);
        return;
      }
      const sameKind =
        current.nodeType === next.nodeType &&
        current.nodeName === next.nodeName &&
        (current.nodeType !== 1 || current.getAttribute('type') === next.getAttribute('type'));
      if (!sameKind) {
        from.replaceChild(next, current);
        return;
      }
      if (current.nodeType === 1) {
        syncAttributes(current, next);
        morphChildren(current, next);
        if (current instanceof HTMLSelectElement && current !== document.activeElement) {
          const chosen = Array.from(next.options).findIndex((option) => option.hasAttribute('selected'));
          current.selectedIndex = chosen;
        }
      } else if (current.nodeValue !== next.nodeValue) {
        current.nodeValue = next.nodeValue;
      }
    });
    for (let index = before.length - 1; index >= after.length; index -= 1) from.removeChild(before[index]);
  }

  function patch(target, html) {
    const template = document.createElement('template');
    template.innerHTML = html;
    morphChildren(target, template.content);
  }

  function showFlag(flag) {
    const host = document.getElementById('pw-flags');
    if (!host) return;
    const element = document.createElement('div');
    element.className = `pw-flag pw-flag--${['success', 'error', 'warning', 'info'].includes(flag.type) ? flag.type : 'info'}`;
    element.setAttribute('role', 'status');
    element.dataset.testid = 'pw-flag';
    const title = document.createElement('strong');
    title.textContent = flag.title;
    element.appendChild(title);
    if (flag.description) {
      const text = document.createElement('p');
      text.textContent = flag.description;
      element.appendChild(text);
    }
    host.appendChild(element);
    setTimeout(() => element.remove(), 6000);
  }

  if (viewId) {
    const events = new EventSource(`/api/views/${viewId}/events`);
    events.addEventListener('slot', (event) => {
      const { slot, html } = JSON.parse(event.data);
      const target = document.getElementById(`slot-${slot}`);
      if (target) patch(target, html);
    });
    events.addEventListener('config', (event) => {
      const { html } = JSON.parse(event.data);
      const host = document.getElementById('pw-config-host');
      if (host) patch(host, html || '');
    });
    events.addEventListener('flag', (event) => showFlag(JSON.parse(event.data)));
    events.addEventListener('error', () => {
      // The view closed on the server (for instance after the stack restarted): start afresh.
      if (events.readyState === EventSource.CLOSED) location.reload();
    });
  }

  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const host = target.closest('[data-pw-host]');
    if (host && !host.disabled) {
      const kind = host.dataset.pwHost;
      if (kind === 'select') {
        act({
          type: 'select',
          slot: slotOf(host),
          target: host.dataset.pwTarget,
          value: Number(host.dataset.pwValue),
        });
      } else if (kind === 'insert-macro') {
        post(`/api/pages/${host.dataset.pwPage}/macros`, {})
          .then((response) => (response?.ok ? response.json() : null))
          .then((answer) => {
            if (answer?.location) location.assign(answer.location);
          });
      } else if (kind === 'backend-outage') {
        // The emulator screen's outage switch: the local stack stops or restarts its backend.
        post('/api/backend', { online: host.dataset.pwOnline === 'true' }).then(() => location.reload());
      } else if (kind === 'open-config') {
        act({ type: 'open-config', slot: slotOf(host) });
      } else if (kind === 'close-config') {
        act({ type: 'close-config' });
      }
      return;
    }
    const control = target.closest('[data-pw-node]');
    if (!control) return;
    if (
      (control.dataset.pwEvent === 'click' && !control.disabled) ||
      (control.dataset.pwEvent === 'close' && target === control)
    ) {
      act(eventFor(control));
    }
  });

  document.addEventListener('input', (event) => {
    const control = event.target;
    if (!(control instanceof HTMLElement) || control.dataset.pwEvent !== 'input') return;
    act(eventFor(control, control.value));
  });

  document.addEventListener('change', (event) => {
    const control = event.target;
    if (!(control instanceof HTMLElement)) return;
    if (control.id === 'pw-persona') {
      post('/api/persona', { persona: control.value }).then(() => location.reload());
      return;
    }
    if (control.dataset.pwConfig !== undefined) {
      act({ type: 'config', slot: slotOf(control), name: control.dataset.pwConfig, value: control.value });
      return;
    }
    if (control.dataset.pwEvent === 'change') act(eventFor(control, control.value));
  });

  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    const modal = document.querySelector('.pw-modal-backdrop[data-pw-node]');
    if (modal) act(eventFor(modal));
  });

  const autoRefresh = document.getElementById('pw-auto-refresh');
  if (autoRefresh) {
    const every = Number(autoRefresh.dataset.pwInterval) || 5000;
    setInterval(() => {
      if (autoRefresh.checked && document.visibilityState === 'visible') act({ type: 'refresh' });
    }, every);
  }

  const emulatorState = document.getElementById('pw-emulator-state');
  if (emulatorState) {
    setInterval(() => {
      fetch('/emulator/state')
        .then((response) => (response.ok ? response.text() : null))
        .then((html) => {
          if (html !== null) patch(emulatorState, html);
        })
        .catch(() => {});
    }, 3000);
  }

  const tokenButton = document.getElementById('pw-make-token');
  if (tokenButton) {
    tokenButton.addEventListener('click', () => {
      tokenButton.disabled = true;
      post('/api/api-tokens', {})
        .then((response) => (response.ok ? response.json() : null))
        .then((created) => {
          tokenButton.disabled = false;
          if (!created) return;
          const box = document.getElementById('pw-new-token');
          box.replaceChildren();
          const lines = [
            ['Email', created.email, 'pw-token-email'],
            ['API token', created.token, 'pw-token-value'],
            ['Expires on', created.expiresAt, 'pw-token-expiry'],
          ];
          for (const [label, value, testId] of lines) {
            const row = document.createElement('p');
            row.append(`${label}: `);
            const code = document.createElement('code');
            code.className = 'pw-code';
            code.dataset.testid = testId;
            code.textContent = value;
            row.appendChild(code);
            box.appendChild(row);
          }
        });
    });
  }
})();
