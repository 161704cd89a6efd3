# SPDX-License-Identifier: GPL-2.0-or-later
# Install rules for packaging/ and the CPack DEB set-up: `cpack -G DEB` in a build directory makes
# sesame-client (sesame, sesame-inspect, sesame-launcher) and sesame-server (sesamed, its configs, unit, AppArmor
# profile).
# The programs' own install() rules live beside their targets in src/*/CMakeLists.txt. See docs/packaging.md.
set(SESAME_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)

# Paths the Debian tools and daemons look in, whatever the install prefix: hence absolute.
set(SESAME_CONFIG_DIR /etc/sesame CACHE PATH "sesamed.conf and access.conf")
set(SESAME_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "systemd system units (Debian 12: /lib)")
set(SESAME_APPARMOR_DIR /etc/apparmor.d CACHE PATH "AppArmor profiles")
set(SESAME_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

install(FILES ${SESAME_PACKAGING_DIR}/bash-completion/sesame DESTINATION ${SESAME_BASH_COMPLETION_DIR}
        COMPONENT client)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sesame-client RENAME copyright
        COMPONENT client)

# Both configs hold (or will hold) keys: private. postinst gives them to the "sesame" user the unit runs as.
install(FILES ${SESAME_PACKAGING_DIR}/sesamed.conf ${SESAME_PACKAGING_DIR}/access.conf
        DESTINATION ${SESAME_CONFIG_DIR} PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT server)
install(FILES ${SESAME_PACKAGING_DIR}/sesamed.service DESTINATION ${SESAME_SYSTEMD_UNIT_DIR} COMPONENT server)
install(FILES ${SESAME_PACKAGING_DIR}/apparmor/usr.sbin.sesamed DESTINATION ${SESAME_APPARMOR_DIR}
        COMPONENT server)
install(FILES ${SESAME_PACKAGING_DIR}/bash-completion/sesamed DESTINATION ${SESAME_BASH_COMPLETION_DIR}
        COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/docs/packaging.md DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sesame-server
        COMPONENT server)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/sesame-server RENAME copyright
        COMPONENT server)

set(CPACK_PACKAGE_NAME sesame)
set(CPACK_PACKAGE_VENDOR "sesame")
set(CPACK_PACKAGE_CONTACT "sesame maintainers <sesame@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Single Packet Authorization, compatible with fwknop 2.6.x")
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL client server)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies come from dpkg-shlibdeps (package dpkg-dev) reading the binaries' NEEDED entries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME sesame-client)
set(CPACK_DEBIAN_CLIENT_PACKAGE_SECTION net)
set(CPACK_COMPONENT_CLIENT_DESCRIPTION
    "Single Packet Authorization client, compatible with fwknop 2.6.x\n"
    "sesame sends one encrypted, HMAC-authenticated packet that makes an SPA server (sesamed or fwknopd)\n"
    "open a port for this host only. It takes fwknop's options and ~/.fwknoprc. Also sesame-inspect,\n"
    "which decodes a packet to show why a server rejects it, and sesame-launcher, which knocks by itself\n"
    "when a program connects to a protected port.")
# Loaded with dlopen() on first use, which shlibdeps cannot see: libgpgme for GnuPG mode (a Depends: an fwknop
# user's GPG setup must work as installed), libcurl for -R, libqrencode for --qr and libpng for --qr-png.
set(CPACK_DEBIAN_CLIENT_PACKAGE_DEPENDS "libgpgme11")
set(CPACK_DEBIAN_CLIENT_PACKAGE_RECOMMENDS "libcurl4, libqrencode4, libpng16-16")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME sesame-server)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "Single Packet Authorization server, compatible with fwknopd 2.6.x\n"
    "sesamed keeps ports closed and opens one, for one source address and a limited time, after one valid\n"
    "SPA packet. It reads fwknopd.conf and access.conf unchanged and grants through nftables (default),\n"
    "iptables or firewalld. Ships a hardened systemd unit and an AppArmor profile; the service is not\n"
    "started until keys are set in /etc/sesame/access.conf.")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser, libgpgme11")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "nftables, libqrencode4, libpng16-16")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "apparmor, iptables, firewalld, sesame-client")

# Maintainer scripts need the executable bit in the control archive; file(COPY) gives it whatever the checkout did.
set(SESAME_DEB_CONTROL_DIR ${CMAKE_BINARY_DIR}/packaging/debian-server)
file(COPY ${SESAME_PACKAGING_DIR}/debian/server-postinst ${SESAME_PACKAGING_DIR}/debian/server-prerm
          ${SESAME_PACKAGING_DIR}/debian/server-postrm DESTINATION ${SESAME_DEB_CONTROL_DIR}
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
foreach(script postinst prerm postrm)
  file(RENAME ${SESAME_DEB_CONTROL_DIR}/server-${script} ${SESAME_DEB_CONTROL_DIR}/${script})
endforeach()
configure_file(${SESAME_PACKAGING_DIR}/debian/server-conffiles ${SESAME_DEB_CONTROL_DIR}/conffiles COPYONLY)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${SESAME_DEB_CONTROL_DIR}/conffiles;${SESAME_DEB_CONTROL_DIR}/postinst;${SESAME_DEB_CONTROL_DIR}/prerm;${SESAME_DEB_CONTROL_DIR}/postrm")

include(CPack)
