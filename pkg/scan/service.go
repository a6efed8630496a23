package scan

import (
	"strconv"
	"strings"
)

// serviceNames folds the names tools give a service onto one word: nmap
// -sV names and guesses ("shell?", "wild_shell"), Nessus svc_name ("www",
// "msrdp"), Greenbone's port words.
var serviceNames = map[string]string{
	"telnet": "telnet", "telnets": "telnets", "ftp": "ftp", "ftp-data": "ftp", "ftps": "ftps", "tftp": "tftp",
	"rlogin": "rlogin", "login": "rlogin", "rsh": "rsh", "shell": "rsh", "rexec": "rexec", "exec": "rexec",
	"wild_shell": "bindshell", "bindshell": "bindshell", "ingreslock": "bindshell",
	"http": "http", "www": "http", "http-alt": "http", "http-proxy": "http", "http-mgmt": "http", "webcache": "http",
	"https": "https", "https-alt": "https", "ssl/http": "https", "ssl/https": "https",
	"ssh": "ssh", "rtsp": "rtsp", "upnp": "upnp", "ssdp": "upnp", "snmp": "snmp", "vnc": "vnc", "vnc-http": "vnc",
	"rdp": "rdp", "ms-wbt-server": "rdp", "msrdp": "rdp", "x11": "x11", "adb": "adb", "android-debug": "adb",
	"mqtt": "mqtt", "domain": "dns", "dns": "dns", "microsoft-ds": "smb", "netbios-ssn": "smb", "smb": "smb", "cifs": "smb",
	"mysql": "mysql", "ms-sql-s": "mssql", "postgresql": "postgresql", "redis": "redis", "mongodb": "mongodb",
	"sip": "sip", "onvif": "http",
}

// wellKnownPorts says what a port most likely serves when the tool named
// nothing better ("unknown", "tcpwrapped" or a bare number).
var wellKnownPorts = map[string]string{
	"tcp/21": "ftp", "tcp/23": "telnet", "tcp/2323": "telnet", "udp/69": "tftp", "tcp/512": "rexec", "tcp/513": "rlogin",
	"tcp/514": "rsh", "tcp/1524": "bindshell", "tcp/80": "http", "tcp/443": "https", "tcp/22": "ssh", "tcp/554": "rtsp",
	"udp/1900": "upnp", "udp/161": "snmp", "tcp/5900": "vnc", "tcp/3389": "rdp", "tcp/5555": "adb", "tcp/1883": "mqtt",
	"tcp/53": "dns", "udp/53": "dns", "tcp/445": "smb", "tcp/139": "smb",
}

// CanonicalService is the one word for what an item's port serves, read
// from the service name, the TLS tunnel, the product and the port: "telnet",
// "ftp", "http" (cleartext), "https", "rsh", "bindshell"...; "" when unknown.
func CanonicalService(it Item) string {
	name := strings.ToLower(strings.TrimSpace(it.Service))
	guess := strings.HasSuffix(name, "?")
	name = strings.TrimSuffix(name, "?")
	svc := serviceNames[name]
	prod := strings.ToLower(it.Product + " " + it.ExtraInfo)
	port := wellKnownPorts[strings.ToLower(it.Protocol)+"/"+strconv.Itoa(it.Port)]
	switch {
	case guess && port != "": // nmap's "shell?" on 1524 is the ingreslock bind shell
		svc = port
	case svc == "" && strings.Contains(prod, "telnet"):
		svc = "telnet"
	case svc == "" && strings.Contains(prod, "ftpd"):
		svc = "ftp"
	case svc == "" && (name == "" || name == "unknown" || name == "tcpwrapped" || guess):
		svc = port
	}
	tls := strings.EqualFold(it.Tunnel, "ssl") || strings.Contains(prod, "ssl-only")
	switch {
	case svc == "http" && tls:
		return "https"
	case svc == "telnet" && tls:
		return "telnets"
	case svc == "ftp" && tls:
		return "ftps"
	}
	return svc
}
