#!/usr/bin/python3
"""Checks of the deployment files against the sources, for scripts/check-deploy.

  check_deploy.py static RENDERED_DIR   the rendered overlays (RENDERED_DIR/<overlay>.yaml),
                                        the routing tables, compose.yaml, env names, metric names
  check_deploy.py packages BINARY       the runtime stage of the Dockerfile installs the
                                        package of every library BINARY links
  check_deploy.py settings HELP_FILE    docs/operations.md lists exactly the settings of
                                        `tabel --help` (saved in HELP_FILE)

Prints one line per problem and exits 1 when there is any. Run from the repository root.
"""

import json
import pathlib
import re
import subprocess
import sys

import yaml

ROOT = pathlib.Path(".")
problems = []


def problem(message):
    problems.append(message)
    print(f"  {message}")


def known_services():
    """The services `tabel serve --services` accepts (KnownServices in src/app/app.cpp)."""
    text = (ROOT / "src/app/app.cpp").read_text()
    body = re.search(r"KnownServices\(\)\s*{.*?=\s*{(.*?)};", text, re.S)
    if not body:
        sys.exit("check_deploy: KnownServices() not found in src/app/app.cpp")
    return re.findall(r'"([a-z]+)"', body.group(1))


def settings_in_sources():
    """Every TABEL_* name the configuration reads (src/app/config.cpp)."""
    return set(re.findall(r'"(TABEL_[A-Z0-9_]+)"', (ROOT / "src/app/config.cpp").read_text()))


def metrics_in_sources():
    names = set()
    for path in (ROOT / "src").rglob("*.cpp"):
        names.update(re.findall(r'"(tabel_[a-z0-9_]+)"', path.read_text()))
    return names


def owned_routes(services):
    """{path template: owner}, the owner being a service, "api" (mounted by every API
    process: the operators' queue endpoints, the API document) or "internal" (probes and
    metrics, never exposed)."""
    routes = {}
    for path in sorted((ROOT / "src").glob("*/*handlers.cpp")):
        folder = path.parent.name
        for template in re.findall(r'"(/[a-z][^"]*)"', path.read_text()):
            if folder in services:
                owner = folder
            elif folder == "ops" and template.startswith("/api/v1/"):
                owner = "api"
            elif folder == "ops" and re.match(r"/(openapi\.json|docs)", template):
                owner = "api"
            elif folder == "ops":
                owner = "internal"
            else:
                continue
            routes[template] = owner
    if len(routes) < 20:
        sys.exit(f"check_deploy: only {len(routes)} routes found in src/*/*handlers.cpp")
    return routes


def instances(template):
    """Request paths a template stands for: {x} as a number, and as a word."""
    return list(dict.fromkeys(re.sub(r"{[^}]+}", value, template) for value in ("12", "2026-05")))


def check_routing(table_name, table, routes, services):
    """table: [(regex, service)]. Each route instance matches exactly one entry, naming
    its owner; internal routes match none."""
    for regex, service in table:
        if service not in services:
            problem(f"{table_name}: {regex} routes to unknown service {service!r}")
    for template, owner in sorted(routes.items()):
        for path in instances(template):
            hits = [service for regex, service in table if re.search(regex, path)]
            if owner == "internal":
                if hits:
                    problem(f"{table_name}: {path} ({template}) is exposed; it must stay internal")
            elif len(hits) != 1:
                problem(f"{table_name}: {path} ({template}) matches {len(hits)} routes {hits}, expected 1")
            elif owner != "api" and hits[0] != owner:
                problem(f"{table_name}: {path} ({template}) goes to {hits[0]}, but {owner} serves it")
            elif owner == "api" and hits[0] == "worker":
                problem(f"{table_name}: {path} ({template}) goes to the worker, which serves no API")


def nginx_table():
    text = (ROOT / "deploy/nginx/tabel.conf").read_text()
    block = re.search(r"map \$uri \$tabel_service {(.*?)}", text, re.S)
    if not block:
        problem("deploy/nginx/tabel.conf: no `map $uri $tabel_service` block")
        return []
    return [(regex, service) for regex, service in re.findall(r'"~(\^[^"]+)"\s+([a-z]+);', block.group(1))]


def ingress_table(documents, overlay):
    table = []
    for doc in documents:
        if doc["kind"] != "Ingress":
            continue
        for rule in doc["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                name = entry["backend"]["service"]["name"]
                # ingress-nginx anchors each regular expression at the start of the path.
                table.append(("^" + entry["path"], name.removeprefix("tabel-")))
    if not table:
        problem(f"{overlay}: no Ingress paths")
    return table


def selects(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_overlay(overlay, documents, services, settings):
    by_kind = {}
    for doc in documents:
        by_kind.setdefault(doc["kind"], []).append(doc)
    namespaces = [doc["metadata"]["name"] for doc in by_kind.get("Namespace", [])]
    if len(namespaces) != 1:
        problem(f"{overlay}: {len(namespaces)} Namespace objects, expected 1")
    for doc in documents:
        if doc["kind"] != "Namespace" and doc["metadata"].get("namespace") not in namespaces:
            problem(f"{overlay}: {doc['kind']} {doc['metadata']['name']} is outside the namespace {namespaces}")

    names = {kind: {doc["metadata"]["name"] for doc in docs} for kind, docs in by_kind.items()}
    deployments = by_kind.get("Deployment", [])
    expected = {f"tabel-{service}" for service in services} | {"tabel-worker"}
    if names.get("Deployment", set()) != expected:
        problem(f"{overlay}: Deployments {sorted(names.get('Deployment', []))}, expected {sorted(expected)}")
    for doc in by_kind.get("ConfigMap", []) + by_kind.get("Secret", []):
        for variable in {**doc.get("data", {}), **doc.get("stringData", {})}:
            if variable not in settings:
                problem(f"{overlay}: {doc['kind']} {doc['metadata']['name']} sets {variable}, "
                        "which Tabel does not read")

    pods = [(doc, doc["spec"]["template"]) for doc in deployments + by_kind.get("Job", [])]
    for doc, template in pods:
        name = f"{doc['kind']} {doc['metadata']['name']}"
        spec = template["spec"]
        if not spec.get("securityContext", {}).get("runAsNonRoot"):
            problem(f"{overlay}: {name} does not require a non-root user")
        for container in spec["containers"]:
            resources = container.get("resources", {})
            if not {"cpu", "memory"} <= set(resources.get("requests", {})) or "memory" not in resources.get(
                    "limits", {}):
                problem(f"{overlay}: {name} lacks cpu and memory requests or a memory limit")
            for source in container.get("envFrom", []):
                ref = source.get("configMapRef") or source.get("secretRef")
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                # Production's Secret is made by the operator (deploy/k8s/secret.example.yaml).
                if ref["name"] not in names.get(kind, set()) and not (kind == "Secret" and overlay == "prod"):
                    problem(f"{overlay}: {name} reads {kind} {ref['name']}, which is not rendered")
            for variable in container.get("env", []):
                if variable["name"] not in settings:
                    problem(f"{overlay}: {name} sets {variable['name']}, which Tabel does not read")
            args = container.get("args", [])
            if doc["kind"] == "Deployment":
                component = doc["metadata"]["name"].removeprefix("tabel-")
                wanted = ["worker"] if component == "worker" else ["serve", f"--services={component}"]
                if args != wanted:
                    problem(f"{overlay}: {name} runs {args}, expected {wanted}")
                probes = {kind: container.get(kind, {}).get("httpGet", {}).get("path")
                          for kind in ("livenessProbe", "readinessProbe")}
                if probes != {"livenessProbe": "/healthz", "readinessProbe": "/readyz"}:
                    problem(f"{overlay}: {name} probes {probes}, expected /healthz and /readyz")
            elif args != ["migrate"]:
                problem(f"{overlay}: {name} runs {args}, expected ['migrate']")

    for doc in deployments:
        name = doc["metadata"]["name"]
        labels = doc["spec"]["template"]["metadata"]["labels"]
        if not selects(doc["spec"]["selector"]["matchLabels"], labels):
            problem(f"{overlay}: Deployment {name}'s selector does not select its pods")
        for kind, selector_of in (("Service", lambda d: d["spec"]["selector"]),
                                  ("PodDisruptionBudget", lambda d: d["spec"]["selector"]["matchLabels"])):
            matching = [d["metadata"]["name"] for d in by_kind.get(kind, []) if selects(selector_of(d), labels)]
            if len(matching) != 1:
                problem(f"{overlay}: {len(matching)} {kind} objects select the pods of {name}, expected 1")
        targets = [d for d in by_kind.get("HorizontalPodAutoscaler", [])
                   if d["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}]
        if len(targets) != 1:
            problem(f"{overlay}: {len(targets)} HorizontalPodAutoscalers scale {name}, expected 1")
        elif not 1 <= targets[0]["spec"]["minReplicas"] <= targets[0]["spec"]["maxReplicas"]:
            problem(f"{overlay}: HorizontalPodAutoscaler of {name} has no sane replica range")

    for doc in by_kind.get("Ingress", []):
        for rule in doc["spec"]["rules"]:
            for entry in rule["http"]["paths"]:
                backend = entry["backend"]["service"]
                service = [d for d in by_kind.get("Service", []) if d["metadata"]["name"] == backend["name"]]
                if not service or backend["port"].get("name") not in {p.get("name") for p in
                                                                      service[0]["spec"]["ports"]}:
                    problem(f"{overlay}: Ingress path {entry['path']} names no Service port {backend}")


def check_compose(services, settings):
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for service in services:
        command = compose.get(service, {}).get("command")
        if command != ["serve", f"--services={service}"]:
            problem(f"compose.yaml: service {service} runs {command}, expected serve --services={service}")
    for name, wanted in (("worker", ["worker"]), ("migrate", ["migrate"])):
        if compose.get(name, {}).get("command") != wanted:
            problem(f"compose.yaml: {name} must run {wanted}")
    for name, service in compose.items():
        for variable in service.get("environment", {}):
            if variable.startswith("TABEL_") and variable not in settings:
                problem(f"compose.yaml: {name} sets {variable}, which Tabel does not read")
        if service.get("image") == "tabel:local" and name != "migrate":
            if service.get("depends_on", {}).get("migrate", {}).get("condition") != \
                    "service_completed_successfully":
                problem(f"compose.yaml: {name} must wait for migrate")


def check_metric_names(metrics):
    """Every tabel_* metric the alerts and the dashboard query exists in the sources."""
    texts = {
        "deploy/prometheus/alerts.yml": (ROOT / "deploy/prometheus/alerts.yml").read_text(),
    }
    for path in (ROOT / "deploy/grafana/dashboards").glob("*.json"):
        dashboard = json.loads(path.read_text())
        panels = dashboard.get("panels", [])
        texts[str(path)] = "\n".join(t.get("expr", "") for p in panels for t in p.get("targets", []))
        variables = dashboard.get("templating", {}).get("list", [])
        texts[str(path)] += "\n".join(str(v.get("definition", "")) for v in variables)
        if not panels:
            problem(f"{path}: no panels")
    for path, text in texts.items():
        for name in sorted(set(re.findall(r"\b(tabel_[a-z0-9_]+?)(?:_bucket|_sum|_count)?\b", text))):
            if name not in metrics:
                problem(f"{path}: {name} is no metric of Tabel (src/**/*.cpp)")


def static(rendered):
    services = known_services()
    settings = settings_in_sources()
    routes = owned_routes(services)
    check_routing("deploy/nginx/tabel.conf", nginx_table(), routes, services)
    for overlay_file in sorted(pathlib.Path(rendered).glob("*.yaml")):
        overlay = overlay_file.stem
        documents = [d for d in yaml.safe_load_all(overlay_file.read_text()) if d]
        check_overlay(overlay, documents, services, settings)
        check_routing(f"{overlay} Ingress", ingress_table(documents, overlay), routes, services + ["worker"])
    check_compose(services, settings)
    check_metric_names(metrics_in_sources())
    print(f"  {len(routes)} routes of {len(services)} services, {len(settings)} settings checked")


def dockerfile_packages():
    text = (ROOT / "Dockerfile").read_text()
    block = re.search(r"# runtime-packages begin\n(.*?)# runtime-packages end", text, re.S)
    if not block:
        sys.exit("check_deploy: no runtime-packages block in the Dockerfile")
    words = re.findall(r"[a-z0-9][a-z0-9.+-]+", block.group(1).split("--no-install-recommends", 1)[-1])
    return set(words) - {"rm", "rf", "var", "lib", "apt", "lists"}


def package_of(path):
    """The Debian package that ships a library file; with merged /usr, dpkg may know it under
    /lib instead of /usr/lib or the other way round."""
    candidates = [path]
    if path.startswith("/usr/lib/"):
        candidates.append(path.removeprefix("/usr"))
    elif path.startswith("/lib"):
        candidates.append("/usr" + path)
    for candidate in candidates:
        for name in {candidate, str(pathlib.Path(candidate).resolve())}:
            found = subprocess.run(["dpkg", "-S", name], capture_output=True, text=True)
            if found.returncode == 0:
                return found.stdout.split(":")[0]
    return None


def packages(binary):
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]",
                        subprocess.run(["readelf", "-d", binary], capture_output=True, text=True,
                                       check=True).stdout)
    resolved = dict(re.findall(r"^\s*(\S+) => (/\S+)", subprocess.run(
        ["ldd", binary], capture_output=True, text=True, check=True).stdout, re.M))
    installed = dockerfile_packages()
    for library in needed:
        # The sanitizer runtimes of the dev build are not part of a release image.
        if re.match(r"lib(asan|ubsan|tsan|lsan)\.so", library):
            continue
        if library not in resolved:
            problem(f"{binary}: {library} is not found by ldd")
            continue
        package = package_of(resolved[library])
        if package is None:
            problem(f"{library} ({resolved[library]}) belongs to no Debian package")
        elif package not in installed:
            problem(f"Dockerfile: the runtime stage does not install {package} ({library})")
    print(f"  {len(needed)} libraries linked, runtime stage installs {len(installed)} packages")


def settings(help_file):
    in_help = set(re.findall(r"^\s+(TABEL_[A-Z0-9_]+)\s*$", pathlib.Path(help_file).read_text(), re.M))
    if len(in_help) < 10:
        sys.exit(f"check_deploy: only {len(in_help)} settings in {help_file}")
    docs = (ROOT / "docs/operations.md").read_text()
    in_docs = set(re.findall(r"^\| `(TABEL_[A-Z0-9_]+)` \|", docs, re.M))
    for name in sorted(in_help - in_docs):
        problem(f"docs/operations.md: setting {name} is not described")
    # TABEL_CONFIG_FILE names the file of the other settings, so it is not one of them.
    for name in sorted(in_docs - in_help - {"TABEL_CONFIG_FILE"}):
        problem(f"docs/operations.md: {name} is described but `tabel --help` does not know it")
    print(f"  {len(in_help)} settings of `tabel --help` described")


def main():
    commands = {"static": static, "packages": packages, "settings": settings}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2])
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
