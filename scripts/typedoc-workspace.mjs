// TypeDoc plugin (typedoc.json "plugin"): the "referenced but not exported" check for a workspace.
// TypeDoc's own notExported validation skips every type whose package is not the root package
// (here "qhe-workspace"), i.e. every type of @qhe/bfv, @qhe/quant and @qhe/nn. This runs the same
// check for the workspace's packages, so a public signature that names an unexported type warns
// (and fails `npm test` through treatWarningsAsErrors).
import { Application, ReferenceType, makeRecursiveVisitor } from 'typedoc';

const WORKSPACE_SCOPE = '@qhe/';

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    if (!app.options.getValue('validation').notExported) return;
    const warned = new Set();
    let owner;
    const visitor = makeRecursiveVisitor({
      reference(type) {
        if (type.reflection || type.externalUrl || type.refersToTypeParameter || type.isIntentionallyBroken()) return;
        if (!type.package?.startsWith(WORKSPACE_SCOPE) || project.symbolIdHasBeenRemoved(type.symbolId)) return;
        const key = type.symbolId?.getStableKey() ?? type.qualifiedName;
        if (warned.has(key)) return;
        warned.add(key);
        const where = type.symbolId ? `${type.symbolId.packageName}/${type.symbolId.packagePath}` : type.package;
        app.logger.validationWarning(`${type.qualifiedName}, defined in ${where}, is referenced by ${owner.getFriendlyFullName()} but not exported from a documented entry point`);
      },
    });
    for (const reflection of Object.values(project.reflections)) {
      owner = reflection;
      for (const type of [reflection.type, reflection.default, ...(reflection.extendedTypes ?? []), ...(reflection.implementedTypes ?? [])])
        if (type instanceof Object && typeof type.visit === 'function') type.visit(visitor);
    }
  });
}
