"""Deployment: deploy/serve.py (several replicas behind HAProxy), the Dockerfile and Kubernetes manifests."""
