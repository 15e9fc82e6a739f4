# opsbot redirects: a Fastly VCL snippet pair. It answers a request whose
# path is in the redirect map with the rule's status and Location; any
# other request goes on untouched. The map is the edge dictionary
# opsbot_redirects, which opsbot edits (`redirect`, `unredirect` in chat):
# key = source path ("/old", or "/campaign*" for a prefix rule covering
# /campaign and everything below it by whole segments), value =
# "STATUS TARGET" (the same keys and values as the CloudFront store).
# Lookup order (the same as redirect.Candidates in Go and redirects.js on
# CloudFront): the path itself, then the prefix keys of the path and of
# each ancestor, deepest first, at most 8 segments deep. A value opsbot
# cannot read is skipped. Setup: README.md in this folder.
#
# VCL has no loops: the eight ancestors are unrolled. var.base starts as
# the path without trailing slashes, cut to its first 8 segments (deeper
# bases are never looked up), and loses one segment per step.

# ---- snippet "opsbot redirects recv", type recv (priority 10) ----
declare local var.path STRING;
declare local var.base STRING;
declare local var.v STRING;
unset req.http.Opsbot-Redirect-Status;
unset req.http.Opsbot-Redirect-Location;
set var.path = req.url.path;
set var.v = table.lookup(opsbot_redirects, var.path, "");
if (var.v !~ {"^(301|302|307|308) \S+$"}) {
  set var.base = regsub(regsub(var.path, "/+$", ""), {"^((/[^/]*){1,8}).*$"}, "\1");
  # step 1 of 8
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 2
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 3
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 4
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 5
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 6
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 7
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
  # step 8
  if (var.base != "" && var.v !~ {"^(301|302|307|308) \S+$"}) {
    set var.v = table.lookup(opsbot_redirects, var.base "*", "");
    set var.base = regsub(var.base, "/[^/]*$", "");
  }
}
if (var.v ~ {"^(301|302|307|308) (\S+)$"}) {
  set req.http.Opsbot-Redirect-Status = re.group.1;
  set req.http.Opsbot-Redirect-Location = re.group.2;
  error 601 "opsbot redirect";
}
# ---- end recv ----

# ---- snippet "opsbot redirects error", type error (priority 10) ----
if (obj.status == 601 && req.http.Opsbot-Redirect-Location) {
  set obj.status = std.atoi(req.http.Opsbot-Redirect-Status);
  if (obj.status == 301) {
    set obj.response = "Moved Permanently";
  } elsif (obj.status == 302) {
    set obj.response = "Found";
  } elsif (obj.status == 307) {
    set obj.response = "Temporary Redirect";
  } else {
    set obj.response = "Permanent Redirect";
  }
  set obj.http.Location = req.http.Opsbot-Redirect-Location;
  set obj.http.Cache-Control = "max-age=300";
  synthetic "";
  return(deliver);
}
# ---- end error ----
