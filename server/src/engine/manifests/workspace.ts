/**
 * The workspace resource graph: every YAML file's objects, indexed for cross-file rules,
 * with the dependencies each file's lint used, so a change re-checks only what it can affect.
 */
import { LineIndex } from '../text';
import type { EngineSettings, Finding } from '../types';
import {
  dirOf,
  documentObjects,
  isKustomizationFile,
  joinPath,
  KUSTOMIZATION_FILE_NAMES,
  parseKustomization,
  type Kustomization,
} from '../kustomize/kustomization';
import { renderedFiles, renderingOf, type KustomizeFiles, type Rendering } from '../kustomize/render';
import { unchangedObjects } from '../kustomize/rerender';
import { lintChartFile, lintManifestFile, lintRenderedFile, lintRenderedObject, renderingNotes } from './lint';
import { DeployUnits } from './units';
import { definesUnits, deployedPaths, unitFolders } from './app-units';
import { chartFolderOf, chartMayCreate, isChartFile, isChartTemplate, readChart, templateDeployedPaths, type Chart } from './charts';
import { applicationRelease, RenderedTemplate, type ApplicationChartRelease, type ChartRendering } from './helm';
import { destinationRuleKeys } from './traffic';
import { CHARTS_KEY, Lookup, providedKindKeys, type NamespaceScope, type ObjectSource, type ScopedObjects } from './lookup';
import type { ClusterView } from './references';
import { parseYamlFile, type ManifestObject, type ParsedYamlFile } from './yaml';

export { Lookup, scopeOf, type NamespaceScope } from './lookup';

interface FileEntry {
  parsed: ParsedYamlFile;
  lines?: LineIndex;
  /** Keys this file's objects provide to other files' lookups. */
  provides: Set<string>;
  /** Keys the last lint of this file looked up. */
  uses: Set<string>;
  /** The kustomization this file is (kustomization.yaml, .yml, Kustomization). */
  kustomization?: Kustomization;
  /** Its documents as a patch reads them, once some kustomization did. */
  documents?: ManifestObject[];
  /** A chart template's: the paths its Applications deploy, written literally (see templateDeployedPaths). */
  templatePaths?: string[];
}

interface RenderingLint {
  settings: EngineSettings;
  notes: PlacedFinding[];
  objects: Map<ManifestObject, ObjectLint>;
}

/** A rendered object's findings and what its rules looked up. */
interface ObjectLint {
  findings: PlacedFinding[];
  uses: Set<string>;
}

type PlacedFinding = { file: string; finding: Finding };

export interface ManifestWorkspaceOptions {
  /**
   * Reads a file's text again: given, files can be released (see release()) and the graph keeps
   * only their objects. Without it every file's text stays in memory.
   */
  reread?: (file: string) => string | undefined;
}

export class ManifestWorkspace implements ObjectSource {
  private readonly files = new Map<string, FileEntry>();
  /** Released files whose text was read again since (for a lint, a position): released again by releaseAll. */
  private readonly restored = new Set<string>();
  private byKind: Map<string, ManifestObject[]> | undefined;
  /** Kind → namespace ('' for none written) → positions in the kind's list (see inNamespace). */
  private readonly byNamespace = new Map<string, Map<string, number[]>>();
  /** The kustomizations rendered, built on first use after a change. */
  private deployUnits: DeployUnits | undefined;
  /** Each unit's findings per rendered object, until the unit is rendered again or what the object looked up changes. */
  private readonly renderingLints = new Map<Rendering, RenderingLint>();
  /** Folder → its plain manifests' objects (see folderObjects). */
  private byFolder: Map<string, ManifestObject[]> | undefined;
  /** Folders the configuration names as deploy units (manifests.units): they replace those Argo CD and Flux objects name. */
  private explicitUnits: readonly string[] | undefined;
  /** The folders Argo CD Applications and Flux Kustomizations deploy (or the explicit ones), longest first, with the plain manifests below each (see app-units.ts). */
  private appUnits: { folder: string; objects: ManifestObject[] }[] = [];
  /** kind + scope → objects, built on first lookup after a change: lookups stay O(1), not O(objects). */
  private readonly scoped = new Map<string, ScopedObjects>();
  /** Dependency key → files whose last lint looked it up: a change finds its dependents without scanning every file. */
  private readonly usersOf = new Map<string, Set<string>>();
  /** Folders with a Chart.yaml: Helm charts, not rendered (see charts.ts). */
  private readonly chartFolders = new Set<string>();
  /** The charts as read from their files, built on first use after a change of one (those helm did not render). */
  private charts: Chart[] | undefined;
  /** Charts helm rendered (see helm.ts), or failed to: folder → the rendering. */
  private readonly chartRenderings = new Map<string, RenderedChart>();
  /** What files outside the graph (application code, the configuration file) looked up last (see recordUses). */
  private readonly outsideUses = new Map<string, Set<string>>();

  private clusterView: ClusterView | undefined;

  constructor(private readonly options: ManifestWorkspaceOptions = {}) {}

  get cluster(): ClusterView | undefined {
    return this.clusterView;
  }

  /** Resolves references in this cluster after the workspace (or no longer, with undefined). Returns every file: all may change. */
  setCluster(view: ClusterView | undefined): string[] {
    this.clusterView = view;
    this.renderingLints.clear();
    return this.fileNames;
  }

  /** Adds or replaces a file. Returns the other files whose findings may change. */
  update(file: string, text: string): string[] {
    const before = this.files.get(file);
    const definedUnits = before !== undefined && this.definesUnits(file, before);
    const parsed = parseYamlFile(file, text);
    const entry: FileEntry = { parsed, provides: this.providedBy(file, parsed), uses: this.files.get(file)?.uses ?? new Set() };
    if (isKustomizationFile(file)) entry.kustomization = parseKustomization(file, text);
    const wasRendered = this.deployUnits?.isRendered(file) ?? false;
    this.files.set(file, entry);
    this.restored.delete(file);
    if (isChartFile(file) && !this.chartFolders.has(dirOf(file))) return this.layoutChanged(file, () => this.chartFolders.add(dirOf(file)));
    if (definedUnits || this.definesUnits(file, entry)) return this.layoutChanged(file);
    return this.changed(file, wasRendered ? new Set() : (before?.provides ?? new Set()));
  }

  /** Removes a file. Returns the files whose findings may change. */
  remove(file: string): string[] {
    const entry = this.files.get(file);
    if (!entry) return [];
    const wasRendered = this.deployUnits?.isRendered(file) ?? false;
    this.files.delete(file);
    this.restored.delete(file);
    this.setUses(file, entry, new Set());
    if (isChartFile(file) && this.chartFolders.has(dirOf(file))) return this.layoutChanged(file, () => this.chartFolders.delete(dirOf(file)));
    if (this.definesUnits(file, entry)) return this.layoutChanged(file);
    return this.changed(file, wasRendered ? new Set() : entry.provides);
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  get fileNames(): string[] {
    return [...this.files.keys()];
  }

  /** A file's text; a released file's is read again (undefined when it changed on disk since: an update follows). */
  text(file: string): string | undefined {
    return this.files.get(file)?.parsed.source.currentText();
  }

  /**
   * Drops a file's text and syntax trees, keeping its objects (only with options.reread). For
   * indexed files nobody has open: memory then grows with the objects, not with the YAML text.
   */
  release(file: string): void {
    const entry = this.files.get(file);
    const reread = this.options.reread;
    if (!entry || !reread) return;
    entry.lines = undefined;
    entry.parsed.source.release(
      entry.parsed.objects,
      () => reread(file),
      () => this.restored.add(file),
    );
    this.restored.delete(file);
  }

  /** Releases again the released files whose text was read since, except those `keep` names. */
  releaseRestored(keep: (file: string) => boolean): void {
    for (const file of [...this.restored]) if (!keep(file)) this.release(file);
  }

  /** Whether a file has anything to check: objects, a kustomization (its skipped-field notes), or a template's rendered documents. */
  isCheckable(file: string): boolean {
    const entry = this.files.get(file);
    return !!entry && (entry.parsed.objects.length > 0 || entry.kustomization !== undefined || this.renderedTemplate(file) !== undefined);
  }

  objects(file: string): readonly ManifestObject[] {
    return this.files.get(file)?.parsed.objects ?? [];
  }

  /** Lints one file against the whole workspace. */
  lint(file: string, settings: EngineSettings): Finding[] {
    const entry = this.files.get(file);
    const text = entry?.parsed.source.currentText();
    if (!entry || text === undefined) return [];
    const chart = this.chartOf(file);
    if (chart) return this.lintChartFile(chart, file, entry, settings);
    const uses = new Set<string>();
    const units = this.units();
    const findings = units.isRendered(file)
      ? lintRenderedFile(
          entry.parsed,
          text,
          settings,
          units.renderingsOf(file).map((rendering) => this.renderingFindings(rendering, settings, file, uses)),
        )
      : lintManifestFile(entry.parsed, text, settings, new Lookup(this, uses, this.folderObjects(file)), units.unusedPatches.has(file));
    this.setUses(file, entry, uses);
    return findings;
  }

  /** Line/character of an offset in a workspace file (for related locations); in a rendered template, of its rendered documents. */
  position(file: string, offset: number): { line: number; character: number } {
    const rendered = this.renderedTemplate(file);
    if (rendered) return this.placementOf(file, rendered).templatePosition(offset);
    const entry = this.files.get(file);
    const text = entry?.parsed.source.currentText();
    if (!entry || text === undefined) return { line: 0, character: 0 };
    entry.lines ??= new LineIndex(text);
    return entry.lines.position(offset);
  }

  /** Objects by kind, rebuilt after changes. */
  index(): Map<string, ManifestObject[]> {
    if (!this.byKind) {
      this.byKind = new Map();
      const units = this.units();
      // A rendered file's objects are known as each unit renders them, not as written.
      const plain = [...this.files].filter(([file]) => !units.isRendered(file) && !this.chartOf(file)).flatMap(([, entry]) => entry.parsed.objects);
      for (const object of [...plain, ...units.renderedObjects, ...this.chartObjects()]) {
        const list = this.byKind.get(object.kind) ?? [];
        list.push(object);
        this.byKind.set(object.kind, list);
      }
    }
    return this.byKind;
  }

  /** Objects of a kind in a namespace scope (see Lookup.all), cached until the next change. */
  scopedObjects(kind: string, scope: NamespaceScope): ScopedObjects {
    const key = `${kind}\0${scope ?? ''}`;
    let found = this.scoped.get(key);
    if (!found) {
      const all = this.index().get(kind) ?? [];
      const list = scope === undefined ? all : this.inNamespace(kind, all, scope);
      const byName = new Map<string, ManifestObject>();
      for (const o of list) if (!byName.has(o.name)) byName.set(o.name, o);
      this.scoped.set(key, (found = { list, byName }));
    }
    return found;
  }

  /**
   * The objects of a kind in one namespace plus those without one, in workspace order, from a
   * per-kind split by namespace (a repository of many namespaces does not filter every object
   * of the kind for each one).
   */
  private inNamespace(kind: string, all: ManifestObject[], scope: string): ManifestObject[] {
    let split = this.byNamespace.get(kind);
    if (!split) {
      split = new Map();
      all.forEach((o, order) => {
        const ns = o.namespaceWritten ? o.namespace : '';
        const list = split!.get(ns) ?? [];
        list.push(order);
        split!.set(ns, list);
      });
      this.byNamespace.set(kind, split);
    }
    const own = split.get(scope) ?? [];
    const anywhere = scope === '' ? [] : (split.get('') ?? []);
    const merged: ManifestObject[] = [];
    for (let i = 0, j = 0; i < own.length || j < anywhere.length;)
      merged.push(all[j >= anywhere.length || (i < own.length && own[i]! < anywhere[j]!) ? own[i++]! : anywhere[j++]!]!);
    return merged;
  }

  /** The chart folder a file belongs to (its files are not manifests), or undefined. */
  chartOf(file: string): string | undefined {
    return this.chartFolders.size ? chartFolderOf(file, (folder) => this.chartFolders.has(folder)) : undefined;
  }

  /** Whether a chart of the workspace, not rendered, may create an object of this name (see charts.ts). */
  chartMayCreate(name: string): boolean {
    if (!this.chartFolders.size) return false;
    this.charts ??= [...this.chartFolders]
      .filter((folder) => !this.chartRenderings.get(folder)?.templates)
      .map((folder) => {
        const templates = this.fileNames.filter((f) => this.chartOf(f) === folder && !isChartFile(f)).map((f) => this.text(f) ?? '');
        return readChart(folder, this.text(joinPath(folder, 'Chart.yaml')), templates);
      });
    return this.charts.some((chart) => chartMayCreate(chart, name));
  }

  /** The objects deployed with an object: its rendering's (a kustomization's, a chart's), or the plain manifests deployed with its file. */
  unitOf(object: ManifestObject): readonly ManifestObject[] {
    const chart = this.chartOf(object.file);
    return renderingOf(object)?.objects ?? (chart ? this.chartObjects(chart) : this.folderObjects(object.file));
  }

  /** The chart folders of the workspace (folders with a Chart.yaml). */
  get chartFolderNames(): string[] {
    return [...this.chartFolders];
  }

  /**
   * Sets what `helm template` made of charts (by chart folder; undefined: not rendered). Their
   * templates' documents are then checked, their objects are each chart's unit, and a failure is
   * reported on Chart.yaml. Returns the files to check again: every file (rare: a chart changed).
   */
  setChartRenderings(renderings: ReadonlyMap<string, ChartRendering | undefined>): string[] {
    if (!renderings.size) return [];
    const [first] = renderings.keys();
    this.layoutChanged(joinPath(first!, 'Chart.yaml'), () => {
      for (const [folder, rendering] of renderings) {
        if (!rendering) this.chartRenderings.delete(folder);
        else if (!rendering.ok) this.chartRenderings.set(folder, { failure: rendering.message });
        else {
          const templates = new Map<string, RenderedChartTemplate>();
          for (const [file, text] of rendering.templates) templates.set(file, { parsed: parseYamlFile(file, text) });
          this.chartRenderings.set(folder, { templates, objects: [...templates.values()].flatMap((t) => t.parsed.objects) });
        }
      }
    });
    return this.fileNames;
  }

  /** How the Argo CD Application that deploys a chart folder releases it (its helm options), when exactly one does. */
  chartApplicationRelease(folder: string): ApplicationChartRelease | undefined {
    return applicationRelease(this.index().get('Application') ?? [], folder);
  }

  /** The objects of the charts helm rendered (or of one: the same list each time, for the lookups' per-unit views). */
  private chartObjects(folder?: string): readonly ManifestObject[] {
    if (folder !== undefined) return this.chartRenderings.get(folder)?.objects ?? [];
    return [...this.chartRenderings.values()].flatMap((rendering) => rendering.objects ?? []);
  }

  private renderedTemplate(file: string): RenderedChartTemplate | undefined {
    const chart = this.chartRenderings.size ? this.chartOf(file) : undefined;
    return chart === undefined ? undefined : this.chartRenderings.get(chart)?.templates?.get(file);
  }

  /** Where a rendered template's findings go in the template as it reads now (edited since helm rendered it, the lines are matched again). */
  private placementOf(file: string, template: RenderedChartTemplate): RenderedTemplate {
    const text = this.text(file) ?? '';
    if (template.placement?.templateText !== text) template.placement = new RenderedTemplate(template.parsed.source.currentText() ?? '', text);
    return template.placement;
  }

  /**
   * A chart's file: Chart.yaml says whether helm rendered the chart; a template helm rendered has
   * its documents checked as manifests of the chart, placed back on the template's lines.
   */
  private lintChartFile(chart: string, file: string, entry: FileEntry, settings: EngineSettings): Finding[] {
    const rendering = this.chartRenderings.get(chart);
    if (isChartFile(file))
      return rendering?.templates ? [] : lintChartFile(entry.parsed, entry.parsed.source.currentText() ?? '', settings, rendering?.failure);
    const template = rendering?.templates?.get(file);
    if (!template) return [];
    const uses = new Set<string>();
    const placement = this.placementOf(file, template);
    const findings = lintManifestFile(template.parsed, placement.renderedText, settings, new Lookup(this, uses, this.chartObjects(chart)));
    this.setUses(file, entry, uses);
    return findings.map((finding) => placement.place(finding));
  }

  /** The keys a file's objects provide to lookups: a chart file's are its rendered documents' (none when not rendered). */
  private providedBy(file: string, parsed: ParsedYamlFile): Set<string> {
    const chart = this.chartOf(file);
    if (chart === undefined) return providedKeys(parsed.objects);
    return providedKeys(this.chartRenderings.get(chart)?.templates?.get(file)?.parsed.objects ?? []);
  }

  /**
   * Sets the folders deployed as units (manifests.units of the configuration; undefined: those
   * Argo CD and Flux objects name). Returns the files to check again: all of them when it changed.
   */
  setExplicitUnits(folders: readonly string[] | undefined): string[] {
    if (JSON.stringify(folders) === JSON.stringify(this.explicitUnits)) return [];
    this.explicitUnits = folders;
    this.byFolder = undefined;
    this.scoped.clear();
    return this.fileNames;
  }

  /**
   * A Chart.yaml appeared or went away, or an object that deploys a folder (Argo CD, Flux) changed:
   * which files are manifests, or which are deployed together, changed, so every file's findings
   * may change (rare: the indexes are rebuilt, every file checked again).
   */
  private layoutChanged(file: string, apply = (): void => undefined): string[] {
    apply();
    this.charts = undefined;
    this.deployUnits = undefined;
    this.renderingLints.clear();
    for (const [name, entry] of this.files) entry.provides = this.providedBy(name, entry.parsed);
    this.changed(file, new Set());
    return this.fileNames.filter((name) => name !== file);
  }

  /** The deploy units: every kustomization of the workspace rendered, the roots kept. */
  units(): DeployUnits {
    this.deployUnits ??= new DeployUnits(
      [...this.files.values()].flatMap((entry) => (entry.kustomization ? [entry.kustomization] : [])),
      this.kustomizeFiles(),
    );
    return this.deployUnits;
  }

  private kustomizeFiles(): KustomizeFiles {
    return {
      objects: (file) => (this.files.has(file) && !isKustomizationFile(file) ? this.objects(file) : undefined),
      text: (file) => this.text(file),
      documents: (file) => {
        const entry = this.files.get(file);
        if (entry && !entry.documents) {
          const text = this.text(file);
          if (text !== undefined) entry.documents = documentObjects(file, text);
        }
        return entry?.documents;
      },
      kustomization: (dir) => {
        for (const name of KUSTOMIZATION_FILE_NAMES) {
          const found = this.files.get(joinPath(dir, name))?.kustomization;
          if (found) return found;
        }
        return undefined;
      },
    };
  }

  /**
   * A unit's findings in one file: its notes there, and the findings of the rendered objects with
   * a value written in that file, each object linted once per rendering and settings (an edit of
   * a base then checks that base's objects in each overlay, not every object of every overlay).
   * The lookups of the objects used are added to `uses`.
   */
  private renderingFindings(rendering: Rendering, settings: EngineSettings, file: string, uses: Set<string>): Finding[] {
    let lint = this.renderingLints.get(rendering);
    if (lint?.settings !== settings) this.renderingLints.set(rendering, (lint = { settings, notes: renderingNotes(rendering, settings), objects: new Map() }));
    const found = lint.notes.flatMap((note) => (note.file === file ? [note.finding] : []));
    for (const object of rendering.objects) {
      if (!renderedFiles(object).has(file)) continue;
      let objectLint = lint.objects.get(object);
      if (!objectLint) {
        const objectUses = new Set<string>();
        objectLint = { findings: lintRenderedObject(object, rendering, settings, new Lookup(this, objectUses, rendering.objects)), uses: objectUses };
        lint.objects.set(object, objectLint);
      }
      for (const key of objectLint.uses) uses.add(key);
      for (const placed of objectLint.findings) if (placed.file === file) found.push(placed.finding);
    }
    return found;
  }

  /**
   * The plain manifests deployed with a file: those below the folder an Argo CD Application or a
   * Flux Kustomization deploys (the deepest that holds the file), else those of its own folder.
   * Cached until the next change.
   */
  private folderObjects(file: string): ManifestObject[] {
    if (!this.byFolder) {
      this.byFolder = new Map();
      const units = this.units();
      const plain: [string, ManifestObject[]][] = [];
      const folders = new Set<string>();
      for (const [name, entry] of this.files) {
        for (let folder = dirOf(name); folder && !folders.has(folder); folder = dirOf(folder)) folders.add(folder);
        if (units.isRendered(name) || this.chartOf(name)) continue;
        plain.push([name, entry.parsed.objects]);
        const list = this.byFolder.get(dirOf(name)) ?? [];
        list.push(...entry.parsed.objects);
        this.byFolder.set(dirOf(name), list);
      }
      const paths = [...[...this.index().values()].flat().flatMap(deployedPaths), ...this.unrenderedChartPaths()];
      this.appUnits = [...(this.explicitUnits ?? unitFolders(paths, folders))]
        .sort((a, b) => b.length - a.length)
        .map((folder) => ({ folder, objects: plain.filter(([name]) => isBelow(name, folder)).flatMap(([, objects]) => objects) }));
    }
    return this.appUnits.find((unit) => isBelow(file, unit.folder))?.objects ?? this.byFolder.get(dirOf(file)) ?? [];
  }

  /** Whether a file's objects (or, a chart template's, its literal Applications) say which folders are deployed together. */
  private definesUnits(file: string, entry: FileEntry): boolean {
    return entry.parsed.objects.some(definesUnits) || this.templatePaths(file, entry).length > 0;
  }

  /** The paths deployed by the Applications written in templates of charts helm did not render. */
  private unrenderedChartPaths(): string[] {
    if (!this.chartFolders.size) return [];
    return [...this.files].flatMap(([file, entry]) => {
      const chart = this.chartOf(file);
      return chart !== undefined && !this.chartRenderings.get(chart)?.templates ? this.templatePaths(file, entry) : [];
    });
  }

  private templatePaths(file: string, entry: FileEntry): string[] {
    const chart = this.chartFolders.size ? this.chartOf(file) : undefined;
    if (chart === undefined || !isChartTemplate(file, chart)) return [];
    if (!entry.templatePaths) {
      const text = entry.parsed.source.currentText();
      if (text === undefined) return [];
      entry.templatePaths = templateDeployedPaths(file, text);
    }
    return entry.templatePaths;
  }

  /**
   * After `file` changed: the indexes are rebuilt on next use, the units that read it rendered
   * again (once they were built: before any lint nobody depends on them yet), and the unit
   * findings that looked up what changed dropped. `providedBefore`: the file's keys as a plain
   * manifest before the change (empty while a unit rendered it). Returns the files to check again.
   */
  private changed(file: string, providedBefore: Set<string>): string[] {
    this.byKind = undefined;
    const inChart = this.chartOf(file) !== undefined;
    if (inChart) this.charts = undefined;
    this.byNamespace.clear();
    this.byFolder = undefined;
    this.scoped.clear();
    const keys = new Set(providedBefore);
    const rendered = new Set<string>();
    const units = this.deployUnits;
    if (units) {
      const { removed, added } = units.update([file], (f) => this.files.get(f)?.kustomization);
      const kept = this.keepUnchanged(removed, added, file);
      for (const rendering of [...removed, ...added]) {
        const changedObjects = rendering.objects.filter((object) => !kept.objects.has(object));
        for (const key of providedKeys(changedObjects)) keys.add(key);
        // A rendering whose unchanged objects kept their findings: only the files of those that changed may change.
        if (kept.renderings.has(rendering)) for (const object of changedObjects) for (const name of renderedFiles(object)) rendered.add(name);
        else for (const name of rendering.files) rendered.add(name);
      }
      for (const name of kept.files) rendered.add(name);
      for (const rendering of removed) this.renderingLints.delete(rendering);
      // A file read by only the old or only the new renderings may have become a plain manifest, or stopped being one (a patch dropped from a kustomization): its objects appear or vanish.
      for (const name of readByOnlyOne(removed, added)) for (const key of this.files.get(name)?.provides ?? []) keys.add(key);
    }
    if (!units?.isRendered(file)) for (const key of this.files.get(file)?.provides ?? []) keys.add(key);
    keys.add(fileKey(file));
    if (inChart) keys.add(CHARTS_KEY);
    for (const lint of this.renderingLints.values()) {
      for (const [object, objectLint] of lint.objects) if (usesAny(objectLint.uses, keys)) lint.objects.delete(object);
    }
    return this.dependents(file, keys, [...rendered]);
  }

  /**
   * A kustomization rendered again after `file` changed keeps the findings of its objects that came
   * out the same (see unchangedObjects): they are checked again only when what they looked up
   * changed. Returns those objects (old and new), the renderings paired, and the files to check
   * again whatever changed (the kustomizations with notes, files read by only one of the two).
   */
  private keepUnchanged(
    removed: readonly Rendering[],
    added: readonly Rendering[],
    file: string,
  ): { objects: Set<ManifestObject>; renderings: Set<Rendering>; files: Set<string> } {
    const kept = { objects: new Set<ManifestObject>(), renderings: new Set<Rendering>(), files: new Set<string>() };
    for (const after of added) {
      const before = removed.find((r) => r.root.file === after.root.file);
      const lint = before && this.renderingLints.get(before);
      if (!before || !lint) continue;
      const objects = new Map<ManifestObject, ObjectLint>();
      for (const [now, was] of unchangedObjects(before, after, file)) {
        kept.objects.add(now).add(was);
        const objectLint = lint.objects.get(was);
        if (objectLint) objects.set(now, objectLint);
      }
      this.renderingLints.set(after, { settings: lint.settings, notes: renderingNotes(after, lint.settings), objects });
      kept.renderings.add(before).add(after);
      for (const note of [...before.notes, ...after.notes]) kept.files.add(note.kustomization.file);
      for (const name of before.files) if (!after.files.has(name)) kept.files.add(name);
      for (const name of after.files) if (!before.files.has(name)) kept.files.add(name);
    }
    return kept;
  }

  /**
   * Records what a file outside the graph looked up (a Lookup's `uses`, fileKey of the files it
   * read): update() and remove() then name it among the files whose findings may change.
   */
  recordUses(file: string, uses: Set<string>): void {
    this.replaceUses(file, this.outsideUses.get(file) ?? new Set(), uses);
    this.outsideUses.set(file, uses);
  }

  private setUses(file: string, entry: FileEntry, uses: Set<string>): void {
    this.replaceUses(file, entry.uses, uses);
    entry.uses = uses;
  }

  private replaceUses(file: string, before: Set<string>, uses: Set<string>): void {
    for (const key of before) if (!uses.has(key)) this.usersOf.get(key)?.delete(file);
    for (const key of uses) {
      let users = this.usersOf.get(key);
      if (!users) this.usersOf.set(key, (users = new Set()));
      users.add(file);
    }
  }

  /** Files whose findings may change: those that looked up one of `keys`, and `rendered` (files rendered with the changed one). */
  private dependents(changed: string, keys: Set<string>, rendered: string[] = []): string[] {
    const out = new Set<string>(rendered.filter((file) => file !== changed && this.files.has(file)));
    for (const key of keys) for (const file of this.usersOf.get(key) ?? []) if (file !== changed) out.add(file);
    return [...out];
  }
}

/** A template's rendered documents, parsed, and where their findings go in the template (made when first needed). */
interface RenderedChartTemplate {
  parsed: ParsedYamlFile;
  placement?: RenderedTemplate;
}

/** A chart helm rendered (each template's documents), or why it failed. */
interface RenderedChart {
  templates?: Map<string, RenderedChartTemplate>;
  /** Every template's objects: the chart's unit. */
  objects?: readonly ManifestObject[];
  failure?: string;
}

function usesAny(uses: ReadonlySet<string>, keys: ReadonlySet<string>): boolean {
  for (const key of uses) if (keys.has(key)) return true;
  return false;
}

const isBelow = (file: string, folder: string): boolean => file.startsWith(`${folder}/`) || file.startsWith(`${folder}\\`);

/** The dependency key of a file itself: a lint that read it (through a rendering) depends on every change of it. */
export const fileKey = (file: string): string => `file:${file}`;

/** The files read by the renderings of only one of the two lists. */
function readByOnlyOne(before: readonly Rendering[], after: readonly Rendering[]): Set<string> {
  const readBefore = new Set(before.flatMap((r) => [...r.files]));
  const readAfter = new Set(after.flatMap((r) => [...r.files]));
  const only = new Set<string>();
  for (const name of readBefore) if (!readAfter.has(name)) only.add(name);
  for (const name of readAfter) if (!readBefore.has(name)) only.add(name);
  return only;
}

function providedKeys(objects: readonly ManifestObject[]): Set<string> {
  const keys = new Set<string>();
  for (const o of objects) {
    for (const key of providedKindKeys(o.kind, o)) keys.add(key);
    if (o.kind === 'DestinationRule') for (const key of destinationRuleKeys(o)) keys.add(key);
  }
  return keys;
}
