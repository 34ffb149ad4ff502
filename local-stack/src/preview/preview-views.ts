import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type vm from 'node:vm';
import type { FoundHandler } from '@pagewire/devkit/forge-doc';
import type { ForgeRuntime, ResolverHandler } from '@pagewire/devkit/forge-runtime';
import { escapeHtml } from './html';
import { renderForgeDoc } from './ui-kit/forge-doc-html';
import type { UiKitResource } from './ui-kit/ui-kit-bundles';
import { type RootKind, startUiKitRealm, type UiKitRealm } from './ui-kit/ui-kit-realm';

/**
 * A view is one browser tab on one screen (a page with its macros, or the
 * space settings) for one user. Each UI Kit app on it runs in its own realm;
 * the browser gets each app's HTML over a server-sent event stream and sends
 * clicks and input back as actions.
 */
export interface Viewer {
  readonly accountId: string;
}

export interface MacroInstance {
  readonly localId: string;
  readonly pageId: string;
  /** The macro's saved config (`guestParams`), changed by the config panel. */
  config: Record<string, unknown>;
}

export interface SlotSpec {
  readonly id: string;
  readonly resource: UiKitResource;
  readonly moduleKey: string;
  readonly resolver: ResolverHandler;
  /** The platform's extension context for this module. */
  extension(): Record<string, unknown>;
  readonly macro?: MacroInstance;
}

interface Slot {
  readonly spec: SlotSpec;
  realm: UiKitRealm;
  replacing?: UiKitRealm;
  readonly hostState: Map<string, number>;
}

export interface ViewDependencies {
  readonly scripts: Record<UiKitResource, vm.Script>;
  readonly runtime: ForgeRuntime;
  userName(accountId: string): string | undefined;
  report(line: string): void;
}

export interface ConfigChange {
  readonly macro: MacroInstance;
  readonly name: string;
  readonly value: unknown;
  readonly viewer: Viewer;
}

type ServerEvent =
  | { event: 'slot'; data: { slot: string; html: string } }
  | { event: 'config'; data: { html: string | null } }
  | {
      event: 'flag';
      data: { title: string; type: string; description?: string };
    };

/** Forge's event name for "the macro's config changed" (`@forge/react` `useConfig`). */
export const MACRO_CONFIG_CHANGED = 'FORGE_CORE_MACRO_CONFIG_CHANGED';

/** How long a view lives without any browser listening (a reload reconnects well within it). */
const ORPHAN_GRACE_MS = 30_000;
const MAX_VIEWS = 24;
/** A refreshed app replaces the old one once it has its data, or after this long regardless. */
const SETTLE_DEADLINE_MS = 10_000;

export class View {
  readonly id = randomUUID();
  private readonly slots = new Map<string, Slot>();
  private readonly clients = new Set<ServerResponse>();
  private configSlot: string | null = null;
  private orphanTimer: NodeJS.Timeout | undefined;
  private flushScheduled = new Set<string>();
  private disposed = false;

  constructor(
    readonly viewer: Viewer,
    private readonly deps: ViewDependencies,
    private readonly onDispose: (view: View) => void,
  ) {
    this.armOrphanTimer();
  }

  addSlot(spec: SlotSpec): void {
    const slot: Slot = { spec, realm: undefined as never, hostState: new Map() };
    slot.realm = this.startRealm(slot, () => this.schedule(spec.id));
    this.slots.set(spec.id, slot);
  }

  private startRealm(slot: Slot, onRender: (kind: RootKind, realm: UiKitRealm) => void): UiKitRealm {
    const { spec } = slot;
    let realm: UiKitRealm | undefined;
    realm = startUiKitRealm(this.deps.scripts[spec.resource], {
      context: () => this.frontendContext(spec),
      invoke: (functionKey, payload) =>
        this.deps.runtime.invoke(spec.resolver, {
          key: functionKey,
          payload,
          context: {
            accountId: this.viewer.accountId,
            moduleKey: spec.moduleKey,
            ...(spec.macro ? { localId: spec.macro.localId } : {}),
            extension: spec.extension(),
          },
        }),
      showFlag: (flag) =>
        this.send({
          event: 'flag',
          data: {
            title: String(flag.title ?? ''),
            type: String(flag.type ?? 'info'),
            ...(typeof flag.description === 'string' ? { description: flag.description } : {}),
          },
        }),
      rendered: (kind) => {
        if (realm) onRender(kind, realm);
      },
      report: (line) => this.deps.report(`preview ${spec.id}: ${line}`),
    });
    return realm;
  }

  /** What `view.getContext()` gives a UI Kit app (docs/platform-notes.md#resolver-context-and-payload-trust, the module's extension context). */
  private frontendContext(spec: SlotSpec): Record<string, unknown> {
    const installation = this.deps.runtime.installation;
    return {
      accountId: this.viewer.accountId,
      cloudId: installation.cloudId,
      siteUrl: installation.siteUrl,
      environmentId: installation.environmentId,
      environmentType: installation.environmentType,
      moduleKey: spec.moduleKey,
      localId: spec.macro?.localId ?? spec.id,
      locale: 'en-US',
      timezone: 'UTC',
      theme: { colorMode: 'light' },
      extension: spec.extension(),
    };
  }

  slotHtml(id: string): string {
    const slot = this.slots.get(id);
    const tree = slot?.realm.tree('Root');
    if (!slot || !tree) return '<div class="pw-app-starting">Starting the app…</div>';
    return renderForgeDoc(tree, {
      userName: (accountId) => this.deps.userName(accountId),
      selected: (key) => slot.hostState.get(key) ?? 0,
    });
  }

  configHtml(): string | null {
    if (this.configSlot === null) return null;
    const slot = this.slots.get(this.configSlot);
    if (!slot?.spec.macro) return null;
    const tree = slot.realm.tree('MacroConfig');
    const form = tree
      ? renderForgeDoc(tree, {
          userName: (accountId) => this.deps.userName(accountId),
          selected: (key) => slot.hostState.get(key) ?? 0,
          configValues: slot.spec.macro.config,
        })
      : '<p>Loading the macro’s settings…</p>';
    return `<aside class="pw-config-panel" aria-label="Macro settings" data-pw-slot="${escapeHtml(slot.spec.id)}"><header><h2>Pagewire block</h2><button type="button" class="pw-button pw-button--subtle" data-pw-host="close-config" aria-label="Close the macro settings">✕</button></header><p class="pw-helper">The macro shows your changes at once; closing these settings publishes the page (one new version for all of them), as publishing does in Confluence.</p>${form}</aside>`;
  }

  slotIds(): string[] {
    return [...this.slots.keys()];
  }

  /** Coalesces renders: React may reconcile several times in one turn. */
  private schedule(slotId: string): void {
    if (this.flushScheduled.size === 0) {
      setImmediate(() => {
        const ids = [...this.flushScheduled];
        this.flushScheduled.clear();
        for (const id of ids) {
          this.send({ event: 'slot', data: { slot: id, html: this.slotHtml(id) } });
          if (id === this.configSlot) this.send({ event: 'config', data: { html: this.configHtml() } });
        }
      });
    }
    this.flushScheduled.add(slotId);
  }

  private send(message: ServerEvent): void {
    const frame = `event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
    for (const client of this.clients) client.write(frame);
  }

  attach(response: ServerResponse): void {
    if (this.orphanTimer) clearTimeout(this.orphanTimer);
    this.clients.add(response);
    for (const id of this.slots.keys())
      this.send({ event: 'slot', data: { slot: id, html: this.slotHtml(id) } });
    this.send({ event: 'config', data: { html: this.configHtml() } });
    response.on('close', () => {
      this.clients.delete(response);
      if (this.clients.size === 0) this.armOrphanTimer();
    });
  }

  private armOrphanTimer(): void {
    if (this.orphanTimer) clearTimeout(this.orphanTimer);
    this.orphanTimer = setTimeout(() => this.dispose(), ORPHAN_GRACE_MS);
    this.orphanTimer.unref();
  }

  listening(): boolean {
    return this.clients.size > 0;
  }

  findHandler(
    slotId: string,
    nodeKey: string,
    prop: string,
  ): { slot: Slot; found: FoundHandler } | undefined {
    const slot = this.slots.get(slotId);
    const found = slot?.realm.findHandler(nodeKey, prop);
    return slot && found ? { slot, found } : undefined;
  }

  async callHandler(slotId: string, nodeKey: string, prop: string, value: unknown): Promise<boolean> {
    const located = this.findHandler(slotId, nodeKey, prop);
    if (!located) return false;
    await located.slot.realm.call(located.found, handlerArguments(located.found, value));
    return true;
  }

  selectHostState(slotId: string, target: string, value: number): boolean {
    const slot = this.slots.get(slotId);
    if (!slot) return false;
    slot.hostState.set(target, value);
    this.schedule(slotId);
    return true;
  }

  openConfig(slotId: string | null): boolean {
    if (slotId !== null && !this.slots.get(slotId)?.spec.macro) return false;
    this.configSlot = slotId;
    this.send({ event: 'config', data: { html: this.configHtml() } });
    return true;
  }

  /**
   * A config field changed: the value the browser sent is an option index
   * for selects and the option value for radios; the saved config holds the
   * option's value, as Confluence saves it.
   */
  configChange(slotId: string, name: string, raw: string): ConfigChange | undefined {
    const slot = this.slots.get(slotId);
    const macro = slot?.spec.macro;
    const tree = slot?.realm.tree('MacroConfig');
    if (!slot || !macro || !tree) return undefined;
    const field = findNamedField(tree, name);
    if (!field) return undefined;
    const options = Array.isArray(field.props.options)
      ? (field.props.options as Array<{ value?: unknown }>)
      : [];
    const value =
      field.type === 'Select'
        ? options[Number(raw)]?.value
        : field.type === 'RadioGroup'
          ? options.find((option) => String(option.value) === raw)?.value
          : raw;
    if (value === undefined) return undefined;
    return { macro, name, value, viewer: this.viewer };
  }

  /** After the page was saved: the macro reads its new config, as `useConfig` does on Forge's event. */
  applyConfig(slotId: string, change: ConfigChange): void {
    const slot = this.slots.get(slotId);
    if (!slot?.spec.macro) return;
    slot.spec.macro.config = { ...slot.spec.macro.config, [change.name]: change.value };
    // A reload that started before the change would bring the old config back.
    slot.replacing?.dispose();
    slot.replacing = undefined;
    slot.realm.emit(MACRO_CONFIG_CHANGED, {});
    this.send({ event: 'config', data: { html: this.configHtml() } });
  }

  /**
   * "Reload the page" for every macro: a fresh app instance per macro, which
   * fetches its block through the resolver again. The old one stays on screen
   * until the new one has its answer, so a refresh never flashes a skeleton.
   */
  refreshMacros(): void {
    for (const slot of this.slots.values()) {
      if (!slot.spec.macro || slot.replacing || this.configSlot === slot.spec.id) continue;
      const settle = (realm: UiKitRealm) => {
        if (slot.replacing !== realm || this.disposed) return;
        clearTimeout(deadline);
        slot.realm.dispose();
        slot.realm = realm;
        slot.replacing = undefined;
        this.schedule(slot.spec.id);
      };
      // Settled: it asked its resolver for data and every answer is in.
      const replacement = this.startRealm(slot, (_kind, realm) => {
        if (realm.invocations() > 0 && realm.pending() === 0) settle(realm);
      });
      slot.replacing = replacement;
      const deadline = setTimeout(() => settle(replacement), SETTLE_DEADLINE_MS);
      deadline.unref();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.orphanTimer) clearTimeout(this.orphanTimer);
    for (const slot of this.slots.values()) {
      slot.realm.dispose();
      slot.replacing?.dispose();
    }
    for (const client of this.clients) client.end();
    this.clients.clear();
    this.onDispose(this);
  }
}

function findNamedField(tree: ReturnType<UiKitRealm['tree']>, name: string) {
  if (!tree) return undefined;
  const stack = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (
      node.props.name === name &&
      (node.type === 'Select' || node.type === 'RadioGroup' || node.type === 'Textfield')
    ) {
      return node;
    }
    stack.push(...node.children);
  }
  return undefined;
}

/**
 * What a handler receives, by component, the way the host serialises events
 * over the bridge: inputs get `{ target: { value } }` (Pagewire reads
 * `event.target.value`), a DatePicker the ISO date, a Select the chosen option.
 */
export function handlerArguments(found: FoundHandler, value: unknown): unknown[] {
  const text = value === undefined || value === null ? '' : String(value);
  switch (found.node.type) {
    case 'Textfield':
    case 'TextArea':
    case 'RadioGroup':
      return [{ type: 'change', target: { value: text, name: found.node.props.name } }];
    case 'DatePicker':
      return [text];
    case 'Select': {
      const options = Array.isArray(found.node.props.options) ? found.node.props.options : [];
      return [options[Number(text)] ?? null];
    }
    case 'Checkbox':
      return [{ type: 'change', target: { checked: value === true || text === 'true' } }];
    default:
      return [];
  }
}

/** Every open view, so that views nobody watches are closed and the count stays bounded. */
export class ViewRegistry {
  private readonly views = new Map<string, View>();

  constructor(private readonly deps: ViewDependencies) {}

  create(viewer: Viewer): View {
    if (this.views.size >= MAX_VIEWS) {
      const oldest = this.views.values().next().value;
      oldest?.dispose();
    }
    const view = new View(viewer, this.deps, (closed) => this.views.delete(closed.id));
    this.views.set(view.id, view);
    return view;
  }

  get(id: string): View | undefined {
    return this.views.get(id);
  }

  all(): View[] {
    return [...this.views.values()];
  }

  closeAll(): void {
    for (const view of [...this.views.values()]) view.dispose();
  }
}
