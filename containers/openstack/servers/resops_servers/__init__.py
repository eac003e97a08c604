"""Servers that run in the rehearsal cloud (issue #13): Nova's container driver.

`driver.ContainerDriver` is Nova's compute driver when the cloud runs with
`resops cloud up --servers containers`; `dockerapi` is its Docker client and the container's run
options, kept free of Nova so that they can be tested on their own.
"""
